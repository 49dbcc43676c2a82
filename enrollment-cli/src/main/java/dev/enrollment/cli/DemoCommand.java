package dev.enrollment.cli;

import dev.enrollment.CourseKey;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentException;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.UserAlreadyExistsException;
import dev.enrollment.Users;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Migrates an embedded H2 database, creates users, enrolls them, and prints what happened. */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Runs the library end to end on an embedded, in-memory H2 database (no server needed):",
                "migrates, saves users, enrolls one user who is not saved yet (inserted in the same transaction),",
                "shows that getOrCreate is idempotent and that bad or conflicting input is refused, then prints",
                "the enrollments."})
final class DemoCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String url = "jdbc:h2:mem:demo-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Enrollments enrollments = Enrollments.builder().jdbcUrl(url, "sa", "").build()) {
            enrollments.migrate();
            out.println("Migrated an in-memory H2 database: auth_user and student_courseenrollment "
                    + "(no foreign key between them).");
            Users users = enrollments.users();
            EnrollmentRepository repo = enrollments.enrollments();
            CourseKey demoX = CourseKey.parse("course-v1:edX+DemoX+2026");
            CourseKey cs50 = CourseKey.parse("course-v1:HarvardX+CS50+2026_T1");
            CourseKey legacy = CourseKey.parse("MITx/6.002x/2012_Fall");

            User alice = users.save(User.unsaved("alice", "alice@example.com"));
            User bob = users.save(User.unsaved("bob", "bob@example.com"));
            out.println("Saved users alice (id " + alice.id().getAsLong() + ") and bob (id " + bob.id().getAsLong() + ").");

            List<Enrollment> rows = new ArrayList<>();
            rows.add(repo.getOrCreate(alice, demoX));
            rows.add(repo.getOrCreate(alice, cs50));
            rows.add(repo.getOrCreate(bob, legacy));
            User carol = User.unsaved("carol", "carol@example.com");
            Enrollment carols = repo.getOrCreate(carol, demoX);
            rows.add(carols);
            out.println("carol was not saved: getOrCreate inserted her (id " + carols.user().id().getAsLong()
                    + ") and her enrollment in one transaction.");

            Enrollment again = repo.getOrCreate(alice, demoX);
            out.println("getOrCreate(alice, " + demoX + ") again returned the same row: id " + again.id()
                    + (again.equals(rows.get(0)) ? " (unchanged)" : " (CHANGED?)"));

            try {
                repo.getOrCreate(User.unsaved("alice", "someone-else@example.com"), cs50);
                out.println("An unsaved 'alice' was accepted (unexpected).");
            } catch (UserAlreadyExistsException e) {
                out.println("An unsaved user named alice was refused, not attached to the existing alice: "
                        + e.getClass().getSimpleName());
            }
            try {
                repo.getOrCreate(bob, CourseKey.parse("course-v1:edX+'; DROP TABLE auth_user; --+1"));
            } catch (InvalidInputException e) {
                out.println("A malformed course key was refused: " + e.getMessage());
            }

            out.println();
            printTable(out, rows);
            out.println();
            out.println("New enrollments are inactive in mode audit (Open edX semantics); enroll() activates them.");
            return 0;
        } catch (EnrollmentException e) {
            spec.commandLine().getErr().println("demo failed: " + e.getMessage());
            return 1;
        }
    }

    private static void printTable(PrintWriter out, List<Enrollment> rows) {
        String[] header = {"enrollment", "user id", "username", "course", "mode", "active", "created (UTC)"};
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        for (Enrollment e : rows) {
            cells.add(new String[] {String.valueOf(e.id()), String.valueOf(e.user().id().getAsLong()),
                    e.user().username(), e.courseKey().toString(), e.mode().slug(), e.isActive() ? "yes" : "no",
                    e.created() == null ? "" : TIME.format(e.created())});
        }
        int[] width = new int[header.length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        out.println(rule);
        for (int r = 0; r < cells.size(); r++) {
            StringBuilder line = new StringBuilder("|");
            for (int i = 0; i < width.length; i++) {
                line.append(' ').append(String.format("%-" + width[i] + "s", cells.get(r)[i])).append(" |");
            }
            out.println(line);
            if (r == 0) {
                out.println(rule);
            }
        }
        out.println(rule);
    }
}
