package dev.enrollment.cli;

import dev.enrollment.CourseKey;
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

/** Pre-enrollment by email (Open edX's CourseEnrollmentAllowed). */
@Command(name = "allowances",
        mixinStandardHelpOptions = true,
        description = "Allowances: pre-enrollment of an email into a course (student_courseenrollmentallowed).",
        subcommands = {AllowancesCommand.Revoke.class, CommandLine.HelpCommand.class})
final class AllowancesCommand extends CommandGroup {

    /** Deletes an email's allowances. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Deletes the email's allowance for --course, or with no --course every allowance of the "
                    + "email (retirement), used or not, in one transaction. Emails compare case-insensitively.",
                    "A revoked allowance never enrolls anyone afterwards; enrollments it already made are left as "
                            + "they are (use users unenroll-all for those)."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:revoked (or there was nothing to revoke)", "1:the database failed",
                    "2:usage error (a malformed email or course key)"})
    static final class Revoke implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ParentCommand
        AllowancesCommand allowances;

        @Spec
        CommandSpec spec;

        @Option(names = "--email", required = true, paramLabel = "EMAIL", description = "The email.")
        String email;

        @Option(names = "--course", paramLabel = "KEY",
                description = "Only this course's allowance, course-v1:ORG+COURSE+RUN or ORG/COURSE/RUN. Default: "
                        + "every course.")
        String course;

        @Override
        public Integer call() {
            CourseKey key;
            try {
                key = course == null ? null : CourseKey.parse(course);
                if (email.isEmpty()) {
                    throw new InvalidInputException("email", "must not be empty");
                }
                User.unsaved("x", email);   // the email rule, checked before connecting
            } catch (InvalidInputException e) {
                throw new ParameterException(spec.commandLine(), "Invalid --" + e.field() + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Enrollments enrollments = connection.open(allowances.parent.env())) {
                if (key != null) {
                    boolean revoked = enrollments.allowances().revoke(email, key);
                    out.println("allowances revoke: " + (revoked ? "deleted the email's allowance for " + key
                            : "the email has no allowance for " + key + "; nothing deleted"));
                } else {
                    long n = enrollments.allowances().revokeAll(email);
                    out.println("allowances revoke: deleted " + n + (n == 1 ? " allowance" : " allowances")
                            + " of the email");
                }
                return 0;
            } catch (EnrollmentException e) {
                spec.commandLine().getErr().println("allowances revoke failed: " + e.getMessage()
                        + " (nothing was deleted)");
                return 1;
            }
        }
    }
}
