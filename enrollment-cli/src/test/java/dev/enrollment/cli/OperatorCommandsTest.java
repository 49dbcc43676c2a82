package dev.enrollment.cli;

import dev.enrollment.CourseKey;
import dev.enrollment.Enrollments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** enroll --csv, orphans audit/sweep and adopt, end to end on an H2 file database. */
class OperatorCommandsTest {
    private static final String COURSE = "course-v1:Ops+CSV+2026";

    @TempDir
    Path dir;
    String url;
    Map<String, String> env;


    @BeforeEach
    void database() {
        url = "jdbc:h2:file:" + dir.resolve("ops").toAbsolutePath();
        env = Map.of("ENROLLMENT_JDBC_URL", url, "ENROLLMENT_DB_USER", "sa");
        try (Enrollments e = Enrollments.builder().jdbcUrl(url, "sa", "").build()) {
            e.migrate();
        }
    }

    @AfterEach
    void shutdown() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    private long query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void users(int n) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement ps = c.prepareStatement("INSERT INTO auth_user (password, is_superuser, username, "
                     + "first_name, last_name, email, is_staff, is_active, date_joined) "
                     + "VALUES ('!', FALSE, ?, '', '', ?, FALSE, TRUE, ?)")) {
            for (int i = 1; i <= n; i++) {
                ps.setString(1, "learner" + i);
                ps.setString(2, "learner" + i + "@example.com");
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Test
    void enrollFromTenThousandRowsEnrollsTheRightSetAndReportsTheRest() throws Exception {
        users(8_500);
        StringBuilder csv = new StringBuilder("\uFEFFid,\"username\",note\n");
        int line = 0;
        for (int i = 1; i <= 8_500; i++) {
            csv.append(++line).append(",learner").append(i).append(",\"said \"\"hi\"\", then left\"\n");
        }
        for (int i = 1; i <= 1_000; i++) {                 // duplicates
            csv.append(++line).append(",learner").append(i).append(",again\n");
        }
        for (int i = 1; i <= 500; i++) {                   // unknown users
            csv.append(++line).append(",ghost").append(i).append(",\n");
        }
        csv.append("\n");                                   // an empty line is skipped
        Path file = dir.resolve("learners.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);

        Run run = new Run(env, "enroll", "--course", COURSE, "--mode", "verified", "--csv", file.toString());

        assertThat(run.code).as(run.err).isEqualTo(1);   // unknown users are failures in the data
        assertThat(run.out).contains("rows read:          10000").contains("created:            8500")
                .contains("duplicate rows:     1000").contains("unknown users:      500").contains("ghost1")
                .contains("... and 480 more").contains("invalid rows:       0");
        assertThat(run.err).contains("enroll: 10000 of 10000 rows");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + COURSE
                + "' AND is_active = TRUE AND mode = 'verified'")).isEqualTo(8_500);

        Run again = new Run(env, "enroll", "--course", COURSE, "--mode", "verified", "--csv", file.toString());
        assertThat(again.out).contains("created:            0").contains("already enrolled:   8500");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).isEqualTo(8_500);
    }

    @Test
    void enrollByEmailAndEveryRowKnownExitsZero() throws Exception {
        users(3);
        Path file = dir.resolve("emails.csv");
        Files.writeString(file, "Email\nLEARNER1@example.com\nlearner2@example.com\n\"learner3@example.com\"\n");

        Run run = new Run(env, "enroll", "--course", COURSE, "--csv", file.toString());

        assertThat(run.code).as(run.out + run.err).isZero();
        assertThat(run.out).contains("created:            3");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment WHERE mode = 'audit'")).isEqualTo(3);
    }

    @Test
    void badFilesFailWithAClearMessageAndWriteNothing() throws Exception {
        users(2);
        Path noColumn = dir.resolve("nocolumn.csv");
        Files.writeString(noColumn, "name,age\nlearner1,3\n");
        Run run = new Run(env, "enroll", "--course", COURSE, "--csv", noColumn.toString());
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).contains("names no 'username' or 'email' column");

        Path binary = dir.resolve("binary.csv");
        Files.write(binary, new byte[] {(byte) 0xC3, (byte) 0x28, 0, 1, 2, (byte) 0xFF, (byte) 0xFE, 10, 13});
        Run bin = new Run(env, "enroll", "--course", COURSE, "--csv", binary.toString());
        assertThat(bin.code).isEqualTo(1);
        assertThat(bin.err).contains("not a readable UTF-8 CSV file");

        Path invalid = dir.resolve("invalid.csv");
        Files.writeString(invalid, "username\n'; DROP TABLE auth_user; --\n\nlearner1\n\"with\nnewline\"\n");
        Run inv = new Run(env, "enroll", "--course", COURSE, "--csv", invalid.toString());
        assertThat(inv.code).isEqualTo(1);
        assertThat(inv.out).contains("invalid rows:       2").contains("created:            1");
        assertThat(query("SELECT COUNT(*) FROM auth_user")).isEqualTo(2);
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).isEqualTo(1);
    }

    @Test
    void badArgumentsAreUsageErrors() throws IOException {
        Path file = dir.resolve("x.csv");
        Files.writeString(file, "username\n");
        assertThat(new Run(env, "enroll", "--course", "not a course", "--csv", file.toString()).code).isEqualTo(2);
        assertThat(new Run(env, "enroll", "--course", COURSE, "--mode", "platinum", "--csv", file.toString()).code)
                .isEqualTo(2);
        assertThat(new Run(env, "enroll", "--course", COURSE).code).isEqualTo(2);
        assertThat(new Run(env, "enroll", "--course", COURSE, "--csv", dir.resolve("missing.csv").toString()).code)
                .isEqualTo(2);
        assertThat(new Run(env, "orphans").code).isEqualTo(2);
        assertThat(new Run(env, "orphans", "sweep", "--batch-size", "0").code).isEqualTo(2);
        assertThat(new Run(env, "orphans", "sweep", "--max-rows", "0").code).isEqualTo(2);
        assertThat(new Run(Map.of(), "orphans", "audit").code).as("no database given").isEqualTo(2);
        for (String cmd : new String[] {"enroll", "orphans", "adopt", "migrate", "demo"}) {
            Run help = new Run(env, cmd, "--help");
            assertThat(help.code).isZero();
            assertThat(help.out).contains("Usage:");
        }
    }

    @Test
    void orphansAuditAndSweepAndResume() throws Exception {
        users(10);
        try (Enrollments e = Enrollments.builder().jdbcUrl(url, "sa", "").build()) {
            for (int id = 1; id <= 10; id++) {
                e.enrollments().enroll(e.users().findById(id).orElseThrow(), CourseKey.parse(COURSE),
                        dev.enrollment.CourseMode.AUDIT);
            }
        }
        execute("DELETE FROM auth_user WHERE id IN (2, 5, 9)");

        Run audit = new Run(env, "orphans", "audit");
        assertThat(audit.code).isZero();
        assertThat(audit.out).contains("3 orphans among 10 enrollments").contains(COURSE + ": 3");

        Run dry = new Run(env, "orphans", "sweep", "--pause-ms", "0");
        assertThat(dry.code).isZero();
        assertThat(dry.out).contains("dry run").contains("found 3, deleted 0");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).isEqualTo(10);

        Run first = new Run(env, "orphans", "sweep", "--delete", "--pause-ms", "0", "--batch-size", "2",
                "--max-rows", "1");
        assertThat(first.out).contains("deleted 1").contains("continue with --resume-after");
        String resume = first.out.replaceAll("(?s).*--resume-after (\\d+).*", "$1");
        Run rest = new Run(env, "orphans", "sweep", "--delete", "--pause-ms", "0", "--resume-after", resume);
        assertThat(rest.code).isZero();
        assertThat(rest.out).contains("deleted 2");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).isEqualTo(7);
    }

    @Test
    void sweepReportsOrphansAnotherTableStillReferencesAndFinishes() throws Exception {
        users(3);
        long held;
        try (Enrollments e = Enrollments.builder().jdbcUrl(url, "sa", "").build()) {
            held = e.enrollments().enroll(e.users().findById(1).orElseThrow(), CourseKey.parse(COURSE),
                    dev.enrollment.CourseMode.AUDIT).id();
            e.enrollments().enroll(e.users().findById(2).orElseThrow(), CourseKey.parse(COURSE),
                    dev.enrollment.CourseMode.AUDIT);
        }
        execute("CREATE TABLE student_courseenrollmentattribute (id INT PRIMARY KEY, enrollment_id BIGINT NOT NULL "
                + "REFERENCES student_courseenrollment (id))");
        execute("INSERT INTO student_courseenrollmentattribute VALUES (1, " + held + ")");
        execute("DELETE FROM auth_user WHERE id IN (1, 2)");

        Run sweep = new Run(env, "orphans", "sweep", "--delete", "--pause-ms", "0");
        assertThat(sweep.code).as(sweep.err).isZero();
        assertThat(sweep.out).contains("found 2, deleted 1")
                .contains("left in place: 1 orphan(s) that student_courseenrollmentattribute still references (ids "
                        + held + ")");
        assertThat(query("SELECT COUNT(*) FROM student_courseenrollment")).isEqualTo(1);
    }

    @Test
    void adoptOnAManagedDatabaseIsANoOpAndOnAnEmptyOneNamesWhatIsMissing() throws SQLException {
        Run managed = new Run(env, "adopt");
        assertThat(managed.code).as(managed.err).isZero();

        String emptyUrl = "jdbc:h2:file:" + dir.resolve("empty").toAbsolutePath();
        Run empty = new Run(Map.of("ENROLLMENT_JDBC_URL", emptyUrl, "ENROLLMENT_DB_USER", "sa"), "adopt");
        assertThat(empty.code).isEqualTo(1);
        assertThat(empty.err).contains("adopt failed").contains("table auth_user")
                .contains("table student_courseenrollment");
        try (Connection c = DriverManager.getConnection(emptyUrl, "sa", ""); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }
}
