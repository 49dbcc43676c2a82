package dev.enrollment.cli;

import dev.enrollment.EnrollmentException;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import dev.enrollment.OrphanReport;
import dev.enrollment.OrphanedEnrollment;
import dev.enrollment.SweepOptions;
import dev.enrollment.SweepResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;

/** Finds and removes enrollments whose user no longer exists. */
@Command(name = "orphans",
        mixinStandardHelpOptions = true,
        description = "Finds (audit) and removes (sweep) orphans: enrollments whose user no longer exists.",
        subcommands = {OrphansCommand.Audit.class, OrphansCommand.Sweep.class, CommandLine.HelpCommand.class})
final class OrphansCommand extends CommandGroup {

    /** Counts orphans per course. */
    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "Counts orphans per course, with a sample. Reads student_courseenrollment by primary key in "
                    + "keyset chunks; writes nothing.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:audited (whether or not orphans were found)", "1:the database failed", "2:usage error"})
    static final class Audit implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ParentCommand
        OrphansCommand orphans;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Enrollments enrollments = connection.open(orphans.parent.env())) {
                OrphanReport r = enrollments.orphans().audit();
                out.println("orphans audit: " + r.orphans() + " orphans among " + r.scanned() + " enrollments");
                r.byCourse().entrySet().stream()
                        .sorted(Comparator.comparing(e -> e.getKey().toString()))
                        .forEach(e -> out.println("  " + e.getKey() + ": " + e.getValue()));
                if (!r.sample().isEmpty()) {
                    out.println("sample (enrollment id, missing user id, course):");
                    for (OrphanedEnrollment o : r.sample()) {
                        out.println("  " + o.id() + "  " + o.userId() + "  " + o.courseKey());
                    }
                    out.println("remove them with: orphans sweep (a dry run unless --delete is given)");
                }
                return 0;
            } catch (EnrollmentException e) {
                spec.commandLine().getErr().println("orphans audit failed: " + e.getMessage());
                return 1;
            }
        }
    }

    /** Deletes orphans in throttled, resumable batches; a dry run by default. */
    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = {"Finds orphans and, with --delete, deletes them (each with a history row), a batch per "
                    + "transaction with a pause between batches. A dry run unless --delete is given.",
                    "Stopped by --max-rows, it prints the --resume-after value that continues exactly where it "
                            + "stopped."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:swept (or dry-run) to the end or to --max-rows", "1:the database failed",
                    "2:usage error"})
    static final class Sweep implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ParentCommand
        OrphansCommand orphans;

        @Spec
        CommandSpec spec;

        @Option(names = "--delete", description = "Delete the orphans found. Without it, nothing is deleted.")
        boolean delete;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + SweepOptions.DEFAULT_BATCH_SIZE,
                description = "Enrollments read per batch (the most one statement deletes). Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--pause-ms", paramLabel = "MS", defaultValue = "" + SweepOptions.DEFAULT_PAUSE_MILLIS,
                description = "Pause between batches, in milliseconds. Default: ${DEFAULT-VALUE}.")
        long pauseMillis;

        @Option(names = "--max-rows", paramLabel = "N",
                description = "Stop after handling this many orphans. Default: no limit.")
        Long maxRows;

        @Option(names = "--resume-after", paramLabel = "ID", defaultValue = "0",
                description = "Start after this enrollment id (printed by a run that stopped). Default: 0.")
        long resumeAfter;

        @Override
        public Integer call() {
            SweepOptions options;
            try {
                options = (delete ? SweepOptions.delete() : SweepOptions.dryRun()).batchSize(batchSize)
                        .pause(Duration.ofMillis(pauseMillis)).resumeAfter(resumeAfter);
                if (maxRows != null) {
                    options = options.maxRows(maxRows);
                }
            } catch (InvalidInputException e) {
                throw new ParameterException(spec.commandLine(), "Invalid --" + dashed(e.field()) + ": "
                        + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Enrollments enrollments = connection.open(orphans.parent.env())) {
                SweepResult r = enrollments.orphans().sweep(options);
                out.println("orphans sweep" + (delete ? "" : " (dry run: nothing deleted)") + ": found " + r.found()
                        + ", deleted " + r.deleted() + ", scanned " + r.scanned() + ", last id " + r.lastId());
                r.undeletable().stream().collect(java.util.stream.Collectors.groupingBy(
                        dev.enrollment.UndeletableOrphan::referencedBy, java.util.TreeMap::new,
                        java.util.stream.Collectors.mapping(o -> String.valueOf(o.id()),
                                java.util.stream.Collectors.toList())))
                        .forEach((table, ids) -> out.println("left in place: " + ids.size() + " orphan(s) that "
                                + table + " still references (ids " + String.join(", ", ids) + "); delete those "
                                + "rows, then sweep again"));
                if (!r.finished()) {
                    out.println("stopped before the end: continue with --resume-after " + r.lastId());
                } else if (!delete && r.found() > 0) {
                    out.println("run again with --delete to delete them");
                }
                return 0;
            } catch (EnrollmentException e) {
                spec.commandLine().getErr().println("orphans sweep failed: " + e.getMessage()
                        + " (batches before it stay done; rerun with --resume-after to continue)");
                return 1;
            }
        }

        private static String dashed(String field) {
            return field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
        }
    }
}
