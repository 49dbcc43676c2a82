package dev.enrollment.cli;

import dev.enrollment.EnrollmentException;
import dev.enrollment.Enrollments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Creates or updates the library's tables. */
@Command(name = "migrate",
        mixinStandardHelpOptions = true,
        description = "Creates or updates the enrollment tables with Flyway (history in enrollment_schema_history); "
                + "a no-op when they are current. Needs an account that may create and alter tables. Works in a "
                + "schema that already holds other tables, and touches nothing else.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the tables are current", "1:the migration failed (database unreachable, missing rights, ...)",
                "2:usage error"})
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (Enrollments enrollments = connection.open(parent.env())) {
            enrollments.migrate();
            spec.commandLine().getOut().println("migrate: the enrollment tables are current.");
            return 0;
        } catch (EnrollmentException e) {
            // The library's messages never contain a password.
            spec.commandLine().getErr().println("migrate failed: " + e.getMessage());
            return 1;
        }
    }
}
