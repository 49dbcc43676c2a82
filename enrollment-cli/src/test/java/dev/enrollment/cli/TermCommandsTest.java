package dev.enrollment.cli;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' term commands, end to end on an H2 file database: enroll --allow-unknown, allowances revoke,
 * modes change and users unenroll-all.
 */
class TermCommandsTest {
    private static final String COURSE = "course-v1:Ops+Term+2026";
    private static final CourseKey KEY = CourseKey.parse(COURSE);
    private static final CourseKey OTHER = CourseKey.parse("course-v1:Ops+Other+2026");

    @TempDir
    Path dir;
    String url;
    Map<String, String> env;

    @BeforeEach
    void database() {
        url = "jdbc:h2:file:" + dir.resolve("term").toAbsolutePath();
        env = Map.of("ENROLLMENT_JDBC_URL", url, "ENROLLMENT_DB_USER", "sa");
        try (Enrollments e = library()) {
            e.migrate();
        }
    }

    @AfterEach
    void shutdown() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    private Enrollments library() {
        return Enrollments.builder().jdbcUrl(url, "sa", "").build();
    }

    private long query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- enroll --allow-unknown --------------------------------------------------------------------------------

    @Test
    void enrollWithAllowUnknownTurnsEmailsWithoutAUserIntoAutoEnrollAllowances() throws Exception {
        try (Enrollments e = library()) {
            e.users().save(User.unsaved("known1", "known1@example.com"));
            e.users().save(User.unsaved("known2", "known2@example.com"));
        }
        Path file = dir.resolve("emails.csv");
        Files.writeString(file, "email\nKNOWN1@example.com\nknown2@example.com\nnew1@example.com\n"
                + "New1@Example.com\nnew2@example.com\n");

        Run run = new Run(env, "enroll", "--course", COURSE, "--csv", file.toString(), "--allow-unknown");

        assertThat(run.code).as(run.all()).isZero();
        assertThat(run.out).contains("created:            2").contains("allowed by email:   2")
                .contains("line 4: new1@example.com").contains("line 6: new2@example.com")
                .contains("unknown users:      0").contains("duplicate rows:     1");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed WHERE auto_enroll = TRUE AND "
                + "course_id = '" + COURSE + "' AND user_id IS NULL")).isEqualTo(2);
        try (Enrollments e = library()) {
            User later = e.users().save(User.unsaved("newcomer", "NEW1@example.com"));
            assertThat(e.enrollments().isEnrolled(later, KEY)).as("the allowance enrolls the new account").isTrue();
        }

        // Without the option, emails without a user are unknown users, and nothing is allowed.
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "email\nnew3@example.com\n");
        Run without = new Run(env, "enroll", "--course", COURSE, "--csv", other.toString());
        assertThat(without.code).isEqualTo(1);
        assertThat(without.out).contains("unknown users:      1").doesNotContain("allowed by email");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).isEqualTo(2);

        Run help = new Run(env, "enroll", "--help");
        assertThat(help.out).contains("--allow-unknown");
    }

    @Test
    void allowUnknownOnAFileOfUsernamesAllowsNothingAndSaysSo() throws Exception {
        Path file = dir.resolve("names.csv");
        Files.writeString(file, "username\nghost\n");

        Run run = new Run(env, "enroll", "--course", COURSE, "--csv", file.toString(), "--allow-unknown");

        assertThat(run.code).isEqualTo(1);
        assertThat(run.out).contains("unknown users:      1").contains("allowed by email:   0")
                .contains("applies to a file of emails");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).isZero();
    }

    // ---- allowances revoke -------------------------------------------------------------------------------------

    @Test
    void allowancesRevokeDeletesOneOrEveryAllowanceOfTheEmail() throws Exception {
        try (Enrollments e = library()) {
            e.allowances().allow("Pat@example.com", KEY, true);
            e.allowances().allow("pat@example.com", OTHER, false);
            e.allowances().allow("sam@example.com", KEY, true);
        }

        Run one = new Run(env, "allowances", "revoke", "--email", "PAT@example.com", "--course", COURSE);
        assertThat(one.code).as(one.all()).isZero();
        assertThat(one.out).contains("deleted the email's allowance for " + COURSE);
        Run again = new Run(env, "allowances", "revoke", "--email", "pat@example.com", "--course", COURSE);
        assertThat(again.code).isZero();
        assertThat(again.out).contains("nothing deleted");

        Run all = new Run(env, "allowances", "revoke", "--email", "pat@example.com");
        assertThat(all.code).isZero();
        assertThat(all.out).contains("deleted 1 allowance of the email");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).as("sam's stays").isEqualTo(1);
        try (Enrollments e = library()) {
            User pat = e.users().save(User.unsaved("pat", "pat@example.com"));
            assertThat(e.enrollments().forUser(pat)).as("revoked allowances enroll nobody").isEmpty();
        }

        assertThat(new Run(env, "allowances", "revoke", "--email", "no-at").code).isEqualTo(2);
        assertThat(new Run(env, "allowances", "revoke", "--email", "").code).isEqualTo(2);
        assertThat(new Run(env, "allowances", "revoke", "--email", "a@b", "--course", "not a key").code).isEqualTo(2);
        assertThat(new Run(env, "allowances", "revoke").code).isEqualTo(2);
        assertThat(new Run(env, "allowances").code).isEqualTo(2);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).isEqualTo(1);
    }

    // ---- modes change ------------------------------------------------------------------------------------------

    @Test
    void modesChangeMovesEveryEnrollmentOfTheModeAndADryRunOnlyCounts() throws Exception {
        try (Enrollments e = library()) {
            for (int i = 0; i < 5; i++) {
                User u = e.users().save(User.unsaved("honor" + i, ""));
                e.enrollments().enroll(u, KEY, CourseMode.HONOR);
                if (i == 0) {
                    e.enrollments().unenroll(u, KEY);
                }
            }
            e.enrollments().enroll(e.users().save(User.unsaved("paid", "")), KEY, CourseMode.VERIFIED);
            e.enrollments().enroll(e.users().findByUsername("honor1").orElseThrow(), OTHER, CourseMode.HONOR);
        }
        long history = query("SELECT COUNT(*) FROM student_courseenrollment_history");

        Run dry = new Run(env, "modes", "change", "--course", COURSE, "--from", "honor", "--to", "audit", "--dry-run");
        assertThat(dry.code).as(dry.all()).isZero();
        assertThat(dry.out).contains("dry run: nothing changed").contains("5 enrollments of " + COURSE)
                .contains("would move to audit");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE mode = 'honor'")).isEqualTo(6);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment_history")).isEqualTo(history);

        Run run = new Run(env, "modes", "change", "--course", COURSE, "--from", "honor", "--to", "audit");
        assertThat(run.code).as(run.all()).isZero();
        assertThat(run.out).contains("moved 5 enrollments of " + COURSE + " from honor to audit");
        assertThat(run.err).contains("modes change: 5 of 5 enrollments");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + COURSE
                + "' AND mode = 'audit'")).isEqualTo(5);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + COURSE
                + "' AND mode = 'audit' AND is_active = FALSE")).as("the inactive one moved, still inactive")
                .isEqualTo(1);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE mode = 'honor'")).as("other course")
                .isEqualTo(1);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment_history")).isEqualTo(history + 5);

        Run again = new Run(env, "modes", "change", "--course", COURSE, "--from", "honor", "--to", "audit");
        assertThat(again.out).contains("moved 0 enrollments");
    }

    @Test
    void modesChangeRejectsBadKeysUnknownModesAndTheSameModeAsUsageErrors() {
        assertThat(new Run(env, "modes", "change", "--course", "nope", "--from", "honor", "--to", "audit").code)
                .isEqualTo(2);
        Run unknown = new Run(env, "modes", "change", "--course", COURSE, "--from", "platinum", "--to", "audit");
        assertThat(unknown.code).isEqualTo(2);
        assertThat(unknown.err).contains("Invalid --from");
        assertThat(new Run(env, "modes", "change", "--course", COURSE, "--from", "honor", "--to", "gold").code)
                .isEqualTo(2);
        Run same = new Run(env, "modes", "change", "--course", COURSE, "--from", "honor", "--to", "honor");
        assertThat(same.code).isEqualTo(2);
        assertThat(same.err).contains("must differ");
        assertThat(new Run(env, "modes", "change", "--course", COURSE).code).isEqualTo(2);
        assertThat(new Run(env, "modes").code).isEqualTo(2);
    }

    // ---- users unenroll-all ------------------------------------------------------------------------------------

    @Test
    void usersUnenrollAllDeactivatesEverythingOptionallyRevokesAllowancesAndADryRunOnlyLists() throws Exception {
        try (Enrollments e = library()) {
            User u = e.users().save(User.unsaved("retiree", "retiree@example.com"));
            e.enrollments().enroll(u, KEY, CourseMode.VERIFIED);
            e.enrollments().enroll(u, OTHER, CourseMode.AUDIT);
            // Not auto-enroll: for an existing user, an auto-enroll allowance would enroll them at once.
            e.allowances().allow("retiree@example.com", CourseKey.parse("course-v1:Ops+Next+2027"), false);
            User other = e.users().save(User.unsaved("stays", ""));
            e.enrollments().enroll(other, KEY, CourseMode.AUDIT);
        }

        Run dry = new Run(env, "users", "unenroll-all", "--username", "retiree", "--revoke-allowances", "--dry-run");
        assertThat(dry.code).as(dry.all()).isZero();
        assertThat(dry.out).contains("dry run: nothing changed").contains("would deactivate 2 enrollments")
                .contains(COURSE + " (verified)").contains("would delete 1 allowances");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE is_active = TRUE")).isEqualTo(3);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).isEqualTo(1);

        Run run = new Run(env, "users", "unenroll-all", "--username", "retiree", "--revoke-allowances");
        assertThat(run.code).as(run.all()).isZero();
        assertThat(run.out).contains("deactivated 2 enrollments").contains(COURSE + " (verified)")
                .contains("deleted 1 allowances");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE is_active = TRUE")).isEqualTo(1);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).as("rows stay").isEqualTo(3);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollmentallowed")).isZero();

        Run again = new Run(env, "users", "unenroll-all", "--username", "retiree");
        assertThat(again.code).isZero();
        assertThat(again.out).contains("deactivated 0 enrollments").doesNotContain("allowances");

        Run missing = new Run(env, "users", "unenroll-all", "--username", "nobody");
        assertThat(missing.code).isEqualTo(1);
        assertThat(missing.err).contains("no user");
        assertThat(new Run(env, "users", "unenroll-all", "--username", "two words").code).isEqualTo(2);
        assertThat(new Run(env, "users", "unenroll-all").code).isEqualTo(2);
        assertThat(new Run(env, "users").code).isEqualTo(2);
    }

    @Test
    void everyNewCommandHasHelp() {
        for (String[] cmd : new String[][] {{"allowances", "--help"}, {"allowances", "revoke", "--help"},
                {"modes", "--help"}, {"modes", "change", "--help"}, {"users", "--help"},
                {"users", "unenroll-all", "--help"}}) {
            Run help = new Run(env, cmd);
            assertThat(help.code).as(String.join(" ", cmd)).isZero();
            assertThat(help.out).contains("Usage:");
        }
        assertThat(new Run(env, "--help").out).contains("allowances").contains("modes").contains("users");
    }
}
