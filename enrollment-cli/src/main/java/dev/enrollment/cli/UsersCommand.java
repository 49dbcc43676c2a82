package dev.enrollment.cli;

import dev.enrollment.Enrollment;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Users' enrollments as a whole. */
@Command(name = "users",
        mixinStandardHelpOptions = true,
        description = "Users: retire a learner from every course.",
        subcommands = {UsersCommand.UnenrollAll.class, CommandLine.HelpCommand.class})
final class UsersCommand extends CommandGroup {

    /** Open edX's unenroll_user_from_all_courses, run when an account is retired. */
    @Command(name = "unenroll-all", mixinStandardHelpOptions = true,
            description = {"Deactivates every active enrollment of the user in one transaction (Open edX's "
                    + "unenroll_user_from_all_courses, run when an account is retired), with a history row and an "
                    + "event each; the rows stay, with their modes. With --revoke-allowances it also deletes every "
                    + "allowance of the user's email, so that none enrolls them again.",
                    "With --dry-run it only lists what it would change. Running it again changes nothing."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done (or listed, with --dry-run)", "1:no such user, or the database failed",
                    "2:usage error (a malformed username)"})
    static final class UnenrollAll implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @ParentCommand
        UsersCommand users;

        @Spec
        CommandSpec spec;

        @Option(names = "--username", required = true, paramLabel = "USERNAME", description = "The user.")
        String username;

        @Option(names = "--revoke-allowances",
                description = "Also delete every allowance of the user's email (used or not).")
        boolean revokeAllowances;

        @Option(names = "--dry-run", description = "Only list what it would change; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            try {
                User.unsaved(username, "");   // the username rule, checked before connecting
            } catch (InvalidInputException e) {
                throw new ParameterException(spec.commandLine(), "Invalid --" + e.field() + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Enrollments enrollments = connection.open(users.parent.env())) {
                Optional<User> found = enrollments.users().findByUsername(username);
                if (found.isEmpty()) {
                    err.println("users unenroll-all failed: no user has that username; nothing changed");
                    return 1;
                }
                User user = found.get();
                boolean withEmail = revokeAllowances && !user.email().isEmpty();
                if (dryRun) {
                    List<Enrollment> active = enrollments.enrollments().forUser(user).stream()
                            .filter(Enrollment::isActive).collect(Collectors.toList());
                    out.println("users unenroll-all (dry run: nothing changed): would deactivate " + active.size()
                            + " enrollments of user " + user.id().getAsLong());
                    active.forEach(e -> out.println("  " + e.courseKey() + " (" + e.mode().slug() + ")"));
                    if (revokeAllowances) {
                        int n = withEmail ? enrollments.allowances().forEmail(user.email()).size() : 0;
                        out.println("  and would delete " + n + " allowances of the user's email");
                    }
                    return 0;
                }
                List<Enrollment> changed = enrollments.enrollments().unenrollAll(user);
                out.println("users unenroll-all: deactivated " + changed.size() + " enrollments of user "
                        + user.id().getAsLong());
                changed.forEach(e -> out.println("  " + e.courseKey() + " (" + e.mode().slug() + ")"));
                if (revokeAllowances) {
                    long n = withEmail ? enrollments.allowances().revokeAll(user.email()) : 0;
                    out.println("  deleted " + n + " allowances of the user's email");
                }
                return 0;
            } catch (EnrollmentException e) {
                err.println("users unenroll-all failed: " + e.getMessage() + " (nothing of that step was changed; "
                        + "running it again completes it)");
                return 1;
            }
        }
    }
}
