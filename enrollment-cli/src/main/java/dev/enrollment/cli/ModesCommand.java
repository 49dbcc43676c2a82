package dev.enrollment.cli;

import dev.enrollment.CourseFilter;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.EnrollmentException;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** Enrollment modes of a course. */
@Command(name = "modes",
        mixinStandardHelpOptions = true,
        description = "Enrollment modes: move a course's enrollments from one mode to another.",
        subcommands = {ModesCommand.Change.class, CommandLine.HelpCommand.class})
final class ModesCommand extends CommandGroup {

    /** Open edX's bulk_change_enrollment. */
    @Command(name = "change", mixinStandardHelpOptions = true,
            description = {"Moves every enrollment of the course in mode --from, active or not, to mode --to (Open "
                    + "edX's bulk_change_enrollment), in batches (one transaction each, with a history row and an "
                    + "event per enrollment), walking the course in id order.",
                    "A run stopped part-way keeps the batches it committed; running it again finishes the rest. "
                            + "With --dry-run it only counts what it would change."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:changed (or counted, with --dry-run)",
                    "1:the database failed (batches before it stay changed; run it again to finish)",
                    "2:usage error (a malformed course key, an unknown mode, --from equal to --to)"})
    static final class Change implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ParentCommand
        ModesCommand modes;

        @Spec
        CommandSpec spec;

        @Option(names = "--course", required = true, paramLabel = "KEY",
                description = "The course, course-v1:ORG+COURSE+RUN or ORG/COURSE/RUN.")
        String course;

        @Option(names = "--from", required = true, paramLabel = "MODE",
                description = "The mode to move enrollments out of (an Open edX slug such as honor).")
        String from;

        @Option(names = "--to", required = true, paramLabel = "MODE",
                description = "The mode to move them to (such as audit, verified).")
        String to;

        @Option(names = "--dry-run", description = "Only count the enrollments it would change; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            CourseKey key;
            CourseMode fromMode;
            CourseMode toMode;
            try {
                key = CourseKey.parse(course);
                fromMode = parseMode(from, "from");
                toMode = parseMode(to, "to");
            } catch (InvalidInputException e) {
                throw new ParameterException(spec.commandLine(), "Invalid --" + e.field() + ": " + e.getMessage());
            }
            if (fromMode == toMode) {
                throw new ParameterException(spec.commandLine(), "Invalid --to: must differ from --from (both are "
                        + fromMode.slug() + ")");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Enrollments enrollments = connection.open(modes.parent.env())) {
                long found;
                try (Stream<User> users = enrollments.enrollments().usersInCourse(key,
                        CourseFilter.includingInactive().modes(fromMode))) {
                    found = users.count();
                }
                if (dryRun) {
                    out.println("modes change (dry run: nothing changed): " + found + " enrollments of " + key
                            + " are in mode " + fromMode.slug() + " (active or not) and would move to "
                            + toMode.slug());
                    return 0;
                }
                long moved;
                try (Progress progress = Progress.open("modes change", "enrollments", found, err)) {
                    moved = enrollments.enrollments().changeModeAll(key, fromMode, toMode, progress::stepTo);
                }
                out.println("modes change: moved " + moved + " enrollments of " + key + " from " + fromMode.slug()
                        + " to " + toMode.slug());
                return 0;
            } catch (EnrollmentException e) {
                err.println("modes change failed: " + e.getMessage() + " (batches before it stay changed; running "
                        + "it again finishes the rest)");
                return 1;
            }
        }

        private static CourseMode parseMode(String slug, String option) {
            try {
                return CourseMode.of(slug);
            } catch (InvalidInputException e) {
                throw new InvalidInputException(option, e.rule());
            }
        }
    }
}
