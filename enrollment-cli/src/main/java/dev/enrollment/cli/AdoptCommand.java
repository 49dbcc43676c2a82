package dev.enrollment.cli;

import dev.enrollment.EnrollmentException;
import dev.enrollment.Enrollments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Takes over an existing Open edX database: drops the user foreign keys of the library's tables. */
@Command(name = "adopt",
        mixinStandardHelpOptions = true,
        description = {"Takes over an existing Open edX database: checks that auth_user and student_courseenrollment",
                "(and the history and allowance tables, where they exist) have every column the library needs; if",
                "not, changes nothing and names what is missing. Otherwise drops the foreign keys from the",
                "library's tables to auth_user (and nothing else), keeps every row and index, creates the",
                "library's missing tables and records the migration history, so that migrate works from then on.",
                "Needs an account that may alter tables."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:adopted (or already managed by the library)",
                "1:something required is missing (nothing changed) or the database failed", "2:usage error"})
final class AdoptCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Enrollments enrollments = connection.open(parent.env())) {
            enrollments.adopt();
            spec.commandLine().getOut().println("adopt: done; the enrollment tables have no foreign key to auth_user "
                    + "and migrate works from now on.");
            return 0;
        } catch (EnrollmentException e) {
            spec.commandLine().getErr().println("adopt failed: " + e.getMessage());
            return 1;
        }
    }
}
