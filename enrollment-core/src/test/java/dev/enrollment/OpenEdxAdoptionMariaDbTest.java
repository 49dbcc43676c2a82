package dev.enrollment;

import dev.enrollment.internal.Migrator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Adoption of a real Open edX database: the tables exactly as Open edX's own migrations leave them on MySQL
 * ({@code shared/openedx/mysql-schema.sql}, read as it is), plus tables of Open edX's that hold foreign keys to
 * {@code auth_user} and to {@code student_courseenrollment}, on MariaDB.
 */
class OpenEdxAdoptionMariaDbTest {
    private TestDatabase db;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 6);
        for (String statement : openEdxDdl()) {
            db.execute(statement);
        }
        // Other Open edX tables referencing auth_user and student_courseenrollment (Django cascades in Python).
        db.execute("CREATE TABLE auth_userprofile (id int NOT NULL AUTO_INCREMENT, name varchar(255) NOT NULL, "
                + "user_id int NOT NULL, PRIMARY KEY (id), UNIQUE KEY user_id (user_id), "
                + "CONSTRAINT auth_userprofile_user_id_62634b27_fk_auth_user_id FOREIGN KEY (user_id) "
                + "REFERENCES auth_user (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3");
        db.execute("CREATE TABLE student_courseenrollmentattribute (id int NOT NULL AUTO_INCREMENT, "
                + "namespace varchar(255) NOT NULL, name varchar(255) NOT NULL, value varchar(255) NOT NULL, "
                + "enrollment_id int NOT NULL, PRIMARY KEY (id), CONSTRAINT student_courseenrollm_enrollment_id_"
                + "b18a3b0d_fk_student_c FOREIGN KEY (enrollment_id) REFERENCES student_courseenrollment (id)) "
                + "ENGINE=InnoDB DEFAULT CHARSET=utf8mb3");
        db.execute("CREATE TABLE student_manualenrollmentaudit (id int NOT NULL AUTO_INCREMENT, enrolled_email "
                + "varchar(255) NOT NULL, time_stamp datetime(6) NULL, state_transition varchar(255) NOT NULL, "
                + "reason longtext NULL, enrolled_by_id int NULL, enrollment_id int NULL, role varchar(64) NULL, "
                + "PRIMARY KEY (id), CONSTRAINT student_manualenrollm_enrolled_by_id_d0bfc45b_fk_auth_user "
                + "FOREIGN KEY (enrolled_by_id) REFERENCES auth_user (id), CONSTRAINT student_manualenrollm_"
                + "enrollment_id_decc94fe_fk_student_c FOREIGN KEY (enrollment_id) REFERENCES "
                + "student_courseenrollment (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3");
        // What Open edX holds already: a staff member and a learner with a profile, two enrollments and history.
        db.execute("INSERT INTO auth_user VALUES (1, 'pbkdf2$x', NULL, 1, 'staff', '', '', 'staff@example.com', 1, 1, "
                + "'2020-01-01 00:00:00'), (2, 'pbkdf2$y', NULL, 0, 'learner', '', '', 'learner@example.com', 0, 1, "
                + "'2020-01-02 00:00:00')");
        db.execute("INSERT INTO auth_userprofile (name, user_id) VALUES ('Learner', 2)");
        db.execute("INSERT INTO student_courseenrollment VALUES (1, 'course-v1:edX+DemoX+Demo_Course', "
                + "'2020-02-01 00:00:00', 1, 'audit', 2), (2, 'course-v1:edX+Old+2019', '2019-01-01 00:00:00', 0, "
                + "'honor', 2)");
        db.execute("INSERT INTO student_courseenrollment_history VALUES (1, '2020-02-01 00:00:00', 1, 'audit', "
                + "'0c9ee5d4cbf84ec4b5b2a1d0a1d1c0de', '2020-02-01 00:00:00', NULL, '+', "
                + "'course-v1:edX+DemoX+Demo_Course', NULL, 2)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The statements of shared/openedx/mysql-schema.sql, found beside the repository as CI lays it out. */
    static List<String> openEdxDdl() throws IOException {
        Path file = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && file == null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/openedx/mysql-schema.sql");
            if (Files.exists(candidate)) {
                file = candidate;
            }
        }
        assertThat(file).as("shared/openedx/mysql-schema.sql beside the repository").isNotNull();
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String s : sql.toString().split(";")) {
            if (!s.isBlank()) {
                statements.add(s.strip());
            }
        }
        assertThat(statements).hasSizeGreaterThanOrEqualTo(4);
        return statements;
    }

    private long foreignKeysTo(String table, String referenced) {
        return db.queryLong("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
                + "DATABASE() AND REFERENCED_TABLE_NAME = '" + referenced + "' AND TABLE_NAME = '" + table + "'");
    }

    @Test
    void adoptTakesOverOpenEdxsTablesAndWritesHistoryOpenEdxCanRead() throws Exception {
        try (Enrollments e = db.enrollments()) {
            assertThatThrownBy(e::migrate).isInstanceOf(DatabaseException.class).hasMessageContaining("adopt()");
            e.adopt();

            for (String table : List.of("student_courseenrollment", "student_courseenrollment_history",
                    "student_courseenrollmentallowed")) {
                assertThat(foreignKeysTo(table, "auth_user")).as(table).isZero();
            }
            assertThat(foreignKeysTo("auth_userprofile", "auth_user")).as("not the library's: kept").isEqualTo(1);
            assertThat(foreignKeysTo("student_manualenrollmentaudit", "auth_user")).isEqualTo(1);
            assertThat(foreignKeysTo("student_courseenrollmentattribute", "student_courseenrollment")).isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = 'student_historicalcourseenrollment'")).as("no second history table").isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                    + "DATABASE() AND TABLE_NAME = 'student_courseenrollment' AND INDEX_NAME = "
                    + "'student_courseenrollment_user_id_course_id_5d34a47f_uniq' AND NON_UNIQUE = 0")).isEqualTo(2);

            User learner = e.users().findByUsername("learner").orElseThrow();
            CourseKey demo = CourseKey.parse("course-v1:edX+DemoX+Demo_Course");
            CourseKey old = CourseKey.parse("course-v1:edX+Old+2019");
            assertThat(e.enrollments().isEnrolled(learner, demo)).isTrue();
            e.enrollments().enroll(learner, old, CourseMode.VERIFIED);
            e.enrollments().unenroll(learner, demo);
            Enrollment fresh = e.enrollments().enroll(User.unsaved("newcomer", "new@example.com"), demo,
                    CourseMode.AUDIT);
            assertThat(fresh.user().isSaved()).isTrue();

            // Open edX's own table, as django-simple-history reads it: uuid hex keys, one-letter types
            List<String> rows = new ArrayList<>();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT history_id, history_type, id, mode, is_active FROM "
                         + "student_courseenrollment_history WHERE history_id <> '0c9ee5d4cbf84ec4b5b2a1d0a1d1c0de' "
                         + "ORDER BY history_id")) {
                while (rs.next()) {
                    assertThat(rs.getString(1)).matches("[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}");
                    rows.add(rs.getString(2) + rs.getLong(3) + " " + rs.getString(4) + " " + rs.getBoolean(5));
                }
            }
            assertThat(rows).containsExactly("~2 verified true", "~1 audit false", "+" + fresh.id() + " audit true");

            e.migrate();   // a no-op from now on
            e.adopt();     // and so is adopting again
            assertThat(db.queryLong("SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1")).isEqualTo(6);
        }
    }

    @Test
    void aTakenEmailAReferencedUserAndAReferencedOrphanOnOpenEdx() throws Exception {
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource()).batchSize(2).build()) {
            e.adopt();
            // Open edX keeps emails unique, case-insensitively (utf8mb3_general_ci)
            assertThat(catchThrowable(() -> e.users().save(User.unsaved("again", "Learner@Example.com"))))
                    .isInstanceOf(UserAlreadyExistsException.class).hasMessageContaining("email is taken");

            User learner = e.users().findByUsername("learner").orElseThrow();
            long history = db.count("student_courseenrollment_history");
            assertThatThrownBy(() -> e.users().delete(learner)).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("auth_userprofile").hasMessageContaining("nothing was deleted");
            assertThat(e.enrollments().forUser(learner)).hasSize(2);
            assertThat(db.count("student_courseenrollment_history")).isEqualTo(history);

            // Orphans: Open edX deleted users itself (its own cascade forgot the enrollments); one is referenced.
            for (int i = 0; i < 3; i++) {
                e.enrollments().enroll(User.unsaved("gone" + i, "gone" + i + "@example.com"),
                        CourseKey.parse("course-v1:edX+Gone+1"), CourseMode.AUDIT);
            }
            long held = db.queryLong("SELECT MIN(e.id) FROM student_courseenrollment e JOIN auth_user u "
                    + "ON u.id = e.user_id WHERE u.username LIKE 'gone%'");
            db.execute("INSERT INTO student_courseenrollmentattribute (namespace, name, value, enrollment_id) "
                    + "VALUES ('order', 'order_number', 'EDX-1', " + held + ")");
            db.execute("DELETE FROM auth_user WHERE username LIKE 'gone%'");
            SweepResult swept = e.orphans().sweep(SweepOptions.delete().batchSize(2));
            assertThat(swept.found()).isEqualTo(3);
            assertThat(swept.deleted()).isEqualTo(2);
            assertThat(swept.undeletable()).singleElement().satisfies(o -> {
                assertThat(o.id()).isEqualTo(held);
                assertThat(o.referencedBy()).isEqualTo("student_courseenrollmentattribute");
            });
        }
    }

    @Test
    void adoptWorksAfterAMistakenMigrateAndFindsConstraintsByTheirColumnsNotTheirNames() throws Exception {
        // An old Django release named the constraint otherwise.
        db.execute("ALTER TABLE student_courseenrollment DROP FOREIGN KEY "
                + "student_courseenrollment_user_id_4263a8e2_fk_auth_user_id");
        db.execute("ALTER TABLE student_courseenrollment ADD CONSTRAINT user_id_refs_id_45948fcded37bc9d "
                + "FOREIGN KEY (user_id) REFERENCES auth_user (id)");
        // What an earlier version's migrate() did here: Flyway at once, failing in V1 and recording it.
        try (Enrollments e = db.enrollments()) {
            assertThatThrownBy(() -> Migrator.flyway(db.dataSource(), dev.enrollment.internal.Dialect.MARIADB)
                    .migrate()).isInstanceOf(Exception.class);
            assertThat(db.queryLong("SELECT COUNT(*) FROM enrollment_schema_history")).isPositive();

            e.adopt();
            assertThat(foreignKeysTo("student_courseenrollment", "auth_user")).isZero();
            User learner = e.users().findByUsername("learner").orElseThrow();
            assertThat(e.enrollments().forUser(learner)).hasSize(2);
        }
    }

    @Test
    void adoptChangesNothingAndNamesEverythingMissing() {
        db.execute("ALTER TABLE student_courseenrollment DROP COLUMN mode");
        db.execute("ALTER TABLE auth_user DROP COLUMN date_joined");
        try (Enrollments e = db.enrollments()) {
            assertThat(catchThrowable(e::adopt)).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("adopt changed nothing")
                    .hasMessageContaining("column auth_user.date_joined")
                    .hasMessageContaining("column student_courseenrollment.mode");
        }
        assertThat(foreignKeysTo("student_courseenrollment", "auth_user")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                + "TABLE_NAME = 'enrollment_schema_history'")).isZero();
    }

    /**
     * Dropping the foreign key of a table of a million rows is a metadata change: adopt() asks for it in place,
     * without a lock, so inserts into student_courseenrollment go on while it runs.
     */
    @Test
    void adoptionIsOnlineOnATableOfAMillionRows() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET FOREIGN_KEY_CHECKS = 0");
            s.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) "
                    + "SELECT CONCAT('course-v1:Big+C+', seq MOD 100), NULL, 1, 'audit', 1000 + seq "
                    + "FROM seq_1_to_1000000");
            s.execute("SET FOREIGN_KEY_CHECKS = 1");   // the connection goes back to the pool
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong inserted = new AtomicLong();
        AtomicLong longest = new AtomicLong();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong duringAdopt = new AtomicLong(-1);
        Thread writer = new Thread(() -> {
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO student_courseenrollment (course_id, "
                         + "created, is_active, mode, user_id) VALUES ('course-v1:Live+C+1', NULL, 1, 'audit', ?)")) {
                for (long i = 0; !stop.get(); i++) {
                    ps.setLong(1, 1 + (i % 2));   // existing users: the FK, while it is there, is satisfied
                    long t0 = System.nanoTime();
                    ps.executeUpdate();
                    longest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    inserted.incrementAndGet();
                    c.createStatement().execute("DELETE FROM student_courseenrollment WHERE course_id = "
                            + "'course-v1:Live+C+1'");
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        writer.start();
        Thread.sleep(300);
        long before = inserted.get();
        longest.set(0);
        long t0 = System.nanoTime();
        try (Enrollments e = db.enrollments()) {
            e.adopt();
        }
        long adoptMillis = (System.nanoTime() - t0) / 1_000_000;
        duringAdopt.set(inserted.get() - before);
        stop.set(true);
        writer.join(30_000);

        assertThat(failures).isEmpty();
        assertThat(foreignKeysTo("student_courseenrollment", "auth_user")).isZero();
        assertThat(duringAdopt.get()).as("inserts while adopt() ran (%d ms)", adoptMillis).isPositive();
        assertThat(longest.get() / 1_000_000).as("the longest insert while adopt() ran, ms").isLessThan(2_000);
    }
}
