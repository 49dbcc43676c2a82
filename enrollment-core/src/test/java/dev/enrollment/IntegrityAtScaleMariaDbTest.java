package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Integrity at the sizes the issue names, with real threads and real failures, on MariaDB. */
class IntegrityAtScaleMariaDbTest {
    private TestDatabase db;

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 12);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void loadUsers(long n) throws SQLException {
        BulkUsers.load(db, "user", n);
    }

    /** Inserts enrollments (userId, course "course-v1:Scale+C+{k}") behind the library's back. */
    private void loadEnrollments(long fromUser, long toUser, int coursesEach, boolean active) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO student_courseenrollment "
                     + "(course_id, created, is_active, mode, user_id) VALUES (?, ?, ?, 'audit', ?)")) {
            int pending = 0;
            for (long u = fromUser; u <= toUser; u++) {
                for (int k = 0; k < coursesEach; k++) {
                    ps.setString(1, "course-v1:Scale+C+" + k);
                    ps.setTimestamp(2, now);
                    ps.setBoolean(3, active);
                    ps.setLong(4, u);
                    ps.addBatch();
                    if (++pending == 5000) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
            }
            ps.executeBatch();
        }
    }

    @Test
    void deletingAUserWithFiftyThousandEnrollmentsNeverTouchesMoreThanOneBatchPerStatement() throws SQLException {
        try (Enrollments setup = db.migrated()) {
            loadUsers(2);
            loadEnrollments(1, 1, 50_000, true);
            loadEnrollments(2, 2, 10, true);
        }
        RecordingDataSource recorder = new RecordingDataSource(db.dataSource());
        AtomicLong deletedEvents = new AtomicLong();
        try (Enrollments e = Enrollments.builder().dataSource(recorder).batchSize(1000)
                .listener(ev -> deletedEvents.incrementAndGet()).build()) {
            User doomed = e.users().findById(1).orElseThrow();

            e.users().delete(doomed);
        }

        assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE id = 1")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = 1")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = 2")).isEqualTo(10);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_historicalcourseenrollment WHERE history_type = '-'"))
                .isEqualTo(50_000);
        assertThat(deletedEvents.get()).isEqualTo(50_000);
        List<RecordingDataSource.Executed> writes = recorder.executed().stream()
                .filter(x -> x.updateCount() >= 0).collect(Collectors.toList());
        assertThat(writes.stream().filter(RecordingDataSource.Executed::isDelete)
                .filter(x -> x.sql().contains("student_courseenrollment "))).hasSizeGreaterThanOrEqualTo(50);
        assertThat(writes).allSatisfy(x -> assertThat(x.updateCount()).as(x.sql()).isLessThanOrEqualTo(1000));
    }

    @Test
    void auditAndSweepOverTwoHundredThousandEnrollments() throws SQLException {
        int users = 20_000;
        int courses = 10;
        try (Enrollments setup = db.migrated()) {
            loadUsers(users);
            loadEnrollments(1, users, courses, true);
        }
        // 1% of the users deleted behind the library's back: 200 users, 2,000 orphans.
        db.execute("DELETE FROM auth_user WHERE MOD(id, 100) = 7");
        long total = db.count("student_courseenrollment");
        assertThat(total).isEqualTo(200_000);

        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource()).batchSize(1000).build()) {
            OrphanReport report = e.orphans().audit();
            assertThat(report.scanned()).isEqualTo(total);
            assertThat(report.orphans()).isEqualTo(2_000);
            assertThat(report.byCourse()).hasSize(courses).allSatisfy((k, v) -> assertThat(v).isEqualTo(200L));
            assertThat(report.sample()).hasSize(Orphans.SAMPLE_SIZE)
                    .allSatisfy(o -> assertThat(o.userId() % 100).isEqualTo(7));

            SweepResult dry = e.orphans().sweep(SweepOptions.dryRun().batchSize(2000).pause(Duration.ZERO));
            assertThat(dry.found()).isEqualTo(2_000);
            assertThat(db.count("student_courseenrollment")).isEqualTo(total);

            // Stopped after its first batches...
            SweepResult first = e.orphans().sweep(SweepOptions.delete().batchSize(500).pause(Duration.ofMillis(1))
                    .maxRows(150));
            assertThat(first.deleted()).isEqualTo(150);
            assertThat(first.finished()).isFalse();
            // ...and resumed: deletes exactly the rest.
            SweepResult rest = e.orphans().sweep(SweepOptions.delete().batchSize(500).pause(Duration.ZERO)
                    .resumeAfter(first.lastId()));
            assertThat(rest.deleted()).isEqualTo(1_850);
            assertThat(rest.finished()).isTrue();
            assertThat(first.scanned() + rest.scanned()).isEqualTo(total);

            assertThat(db.count("student_courseenrollment")).isEqualTo(total - 2_000);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e "
                    + "JOIN auth_user u ON u.id = e.user_id")).as("nothing that has a user was deleted")
                    .isEqualTo(total - 2_000);
            assertThat(e.orphans().sweep(SweepOptions.delete().pause(Duration.ZERO)).deleted()).isZero();
        }
    }

    @Test
    void bulkEnrollsOneHundredThousandUsersIdempotentlyBesideConcurrentGetOrCreate() throws Exception {
        int n = 100_000;
        try (Enrollments setup = db.migrated()) {
            loadUsers(n);
        }
        CourseKey course = CourseKey.parse("course-v1:Bulk+Big+2026");
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource()).batchSize(1000).build()) {
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Long>> storms = new ArrayList<>();
            List<User> some = e.users().findAllById(LongStream.rangeClosed(1, 2000).boxed()
                    .map(i -> i * 50).collect(Collectors.toList()));
            for (int t = 0; t < 4; t++) {
                storms.add(pool.submit(() -> {
                    long calls = 0;
                    while (running.get() && calls < 20_000) {
                        User u = some.get(ThreadLocalRandom.current().nextInt(some.size()));
                        e.enrollments().getOrCreate(u, course);
                        calls++;
                    }
                    return calls;
                }));
            }

            BulkResult first = e.enrollments().enrollAll(course, CourseMode.VERIFIED, BulkUsers.byId(e, n));

            running.set(false);
            long calls = 0;
            for (Future<Long> f : storms) {
                calls += f.get(120, TimeUnit.SECONDS);   // any exception in a getOrCreate fails the test here
            }
            pool.shutdown();
            assertThat(calls).isPositive();
            assertThat(first.total()).isEqualTo(n);
            assertThat(first.alreadyEnrolled()).as("nobody was active before").isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course + "'"))
                    .isEqualTo(n);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course
                    + "' AND is_active = TRUE AND mode = 'verified'")).isEqualTo(n);
            assertThat(db.queryLong("SELECT COUNT(*) FROM (SELECT user_id FROM student_courseenrollment "
                    + "GROUP BY user_id, course_id HAVING COUNT(*) > 1) d")).isZero();

            BulkResult second = e.enrollments().enrollAll(course, CourseMode.VERIFIED, BulkUsers.byId(e, n));
            assertThat(second).isEqualTo(new BulkResult(0, n, 0));
        }
    }


    // ---- a real deadlock ---------------------------------------------------------------------------------------

    /**
     * Forces a deadlock between the library's enroll transaction and a connection of the test's own: the test
     * locks the end of the history table, the library locks the enrollment row and then waits to write its history,
     * and the test then asks for the enrollment row. The test's transaction has written more, so InnoDB rolls back
     * the library's.
     */
    private Throwable deadlockAgainst(Runnable libraryCall, long enrollmentId) throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS ballast (id INT PRIMARY KEY)");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection t = db.dataSource().getConnection(); Statement s = t.createStatement()) {
            t.setAutoCommit(false);
            s.execute("DELETE FROM ballast");
            s.execute("INSERT INTO ballast SELECT seq FROM seq_1_to_300");
            s.executeQuery("SELECT history_id FROM student_historicalcourseenrollment WHERE history_id >= 0 "
                    + "FOR UPDATE").close();
            Future<?> call = pool.submit(libraryCall);
            waitForLockWait(call);
            s.executeQuery("SELECT id FROM student_courseenrollment WHERE id = " + enrollmentId + " FOR UPDATE")
                    .close();   // the deadlock: InnoDB rolls back the library's smaller transaction
            Thread.sleep(100);
            t.commit();
            try {
                call.get(30, TimeUnit.SECONDS);
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void waitForLockWait(Future<?> call) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (call.isDone()) {
                call.get();
                throw new AssertionError("the library's call finished without waiting for the test's lock");
            }
            // MariaDB's INNODB_TRX does not always list the waiting transaction; the processlist does.
            if (db.queryLong("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() "
                    + "AND INFO LIKE 'insert into student_historicalcourseenrollment%'") > 0) {
                Thread.sleep(100);
                return;
            }
            Thread.sleep(25);
        }
        StringBuilder state = new StringBuilder();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT trx_state, trx_query FROM information_schema.INNODB_TRX")) {
            while (rs.next()) {
                state.append(rs.getString(1)).append(": ").append(rs.getString(2)).append("; ");
            }
        }
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT STATE, INFO FROM information_schema.PROCESSLIST "
                     + "WHERE DB = DATABASE()")) {
            while (rs.next()) {
                state.append(" | ").append(rs.getString(1)).append(": ").append(rs.getString(2));
            }
        }
        throw new AssertionError("the library's call never waited for the test's lock: " + state);
    }

    private long deadlocks() {
        return db.queryLong("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                + "WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'");
    }

    @Test
    void anIdempotentCallSucceedsOnRetryAfterARealDeadlock() throws Exception {
        try (Enrollments e = db.migrated()) {
            User u = e.users().save(User.unsaved("victim", ""));
            CourseKey c = CourseKey.parse("course-v1:Dead+Lock+1");
            Enrollment row = e.enrollments().getOrCreate(u, c);
            long before = deadlocks();

            Throwable failure = deadlockAgainst(() -> e.enrollments().enroll(u, c, CourseMode.VERIFIED), row.id());

            assertThat(failure).isNull();
            assertThat(deadlocks()).as("a real deadlock happened").isGreaterThan(before);
            assertThat(e.enrollments().find(u, c)).hasValueSatisfying(x -> {
                assertThat(x.isActive()).isTrue();
                assertThat(x.mode()).isEqualTo(CourseMode.VERIFIED);
            });
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_historicalcourseenrollment WHERE id = " + row.id()
                    + " AND history_type = '~'")).as("the rolled-back attempt left no history").isEqualTo(1);
        }
    }

    @Test
    void aCallersTransactionIsNotRetriedAndSurfacesTheDeadlock() throws Exception {
        try (Enrollments e = db.migrated()) {
            User u = e.users().save(User.unsaved("victim2", ""));
            CourseKey c = CourseKey.parse("course-v1:Dead+Lock+2");
            Enrollment row = e.enrollments().getOrCreate(u, c);

            Throwable failure = deadlockAgainst(() -> e.transaction(tx ->
                    tx.enrollments().enroll(u, c, CourseMode.VERIFIED)), row.id());

            assertThat(failure).isInstanceOf(DatabaseException.class);
            DatabaseException d = (DatabaseException) failure;
            assertThat(d.errorCode()).isEqualTo(1213);
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.getMessage()).contains("deadlock");
            assertThat(e.enrollments().find(u, c)).hasValueSatisfying(x -> assertThat(x.isActive()).isFalse());
        }
    }

    @Test
    void aLockWaitTimeoutThatOutlastsTheRetriesNamesTheOperationAndTheAttempts() throws Exception {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(db.url());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setConnectionInitSql("SET SESSION innodb_lock_wait_timeout = 1");
        try (com.zaxxer.hikari.HikariDataSource impatient = new com.zaxxer.hikari.HikariDataSource(config);
             Enrollments e = Enrollments.builder().dataSource(impatient).retryAttempts(2).build()) {
            e.migrate();
            User u = e.users().save(User.unsaved("waiter", ""));
            CourseKey c = CourseKey.parse("course-v1:Lock+Wait+1");
            Enrollment row = e.enrollments().getOrCreate(u, c);
            try (Connection t = db.dataSource().getConnection(); Statement s = t.createStatement()) {
                t.setAutoCommit(false);
                s.executeQuery("SELECT id FROM student_courseenrollment WHERE id = " + row.id() + " FOR UPDATE")
                        .close();

                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                        () -> e.enrollments().enroll(u, c, CourseMode.VERIFIED));

                t.rollback();
                assertThat(thrown).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("enroll failed after 2 attempts")
                        .hasMessageContaining("lock-wait timeout");
                assertThat(((DatabaseException) thrown).attempts()).isEqualTo(2);
                assertThat(((DatabaseException) thrown).errorCode()).isEqualTo(1205);
                assertThat(thrown.getCause()).isInstanceOf(SQLException.class);
            }
            assertThat(e.enrollments().enroll(u, c, CourseMode.VERIFIED).isActive())
                    .as("the library serves the call once the lock is gone").isTrue();
        }
    }

    @Test
    void rowsOpenEdxWroteThatTheLibraryCannotTypeAreToleratedAndCaseFoldedKeysKeepTheirStoredSpelling()
            throws SQLException {
        try (Enrollments e = db.migrated()) {
            User u = e.users().save(User.unsaved("ccx_learner", ""));
            CourseKey demo = CourseKey.parse("course-v1:edX+DemoX+2026");
            e.enrollments().enroll(u, demo, CourseMode.AUDIT);
            db.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) VALUES "
                    + "('ccx-v1:edX+DemoX+2026+ccx@3', NULL, TRUE, 'audit', " + u.id().getAsLong() + "), "
                    + "('course-v1:edX+Custom+1', NULL, TRUE, 'mobile', " + u.id().getAsLong() + ")");

            // MariaDB's collation matches the key in another case: the row keeps, and reports, its own spelling.
            Enrollment other = e.enrollments().enroll(u, CourseKey.parse("course-v1:EDX+DEMOX+2026"),
                    CourseMode.VERIFIED);
            assertThat(other.courseKey()).isEqualTo(demo);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_historicalcourseenrollment WHERE course_id = "
                    + "'course-v1:EDX+DEMOX+2026' COLLATE utf8mb4_bin")).isZero();

            assertThat(e.enrollments().forUser(u)).extracting(Enrollment::courseKey).containsExactly(demo);
            assertThat(e.orphans().audit().orphans()).isZero();
            db.execute("DELETE FROM auth_user WHERE id = " + u.id().getAsLong());
            OrphanReport report = e.orphans().audit();
            assertThat(report.orphans()).isEqualTo(3);
            assertThat(report.byCourse()).containsOnlyKeys(demo, CourseKey.parse("course-v1:edX+Custom+1"));
            assertThat(report.sample()).hasSize(1);
            e.users().delete(u);   // deletes every row of the user, typed or not, with history
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment")).isZero();
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_historicalcourseenrollment WHERE history_type = '-'"))
                    .isEqualTo(3);
        }
    }

    // ---- adopting an existing Open edX database ------------------------------------------------------------------

    private void createOpenEdxTables() {
        // As Django creates them on MySQL: INT ids, no column defaults, generated constraint names, the user FKs.
        db.execute("CREATE TABLE auth_user (id INT AUTO_INCREMENT PRIMARY KEY, password VARCHAR(128) NOT NULL, "
                + "last_login DATETIME(6) NULL, is_superuser TINYINT(1) NOT NULL, username VARCHAR(150) NOT NULL "
                + "UNIQUE, first_name VARCHAR(150) NOT NULL, last_name VARCHAR(150) NOT NULL, email VARCHAR(254) "
                + "NOT NULL, is_staff TINYINT(1) NOT NULL, is_active TINYINT(1) NOT NULL, date_joined DATETIME(6) "
                + "NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        db.execute("CREATE TABLE student_courseenrollment (id INT AUTO_INCREMENT PRIMARY KEY, course_id "
                + "VARCHAR(255) NOT NULL, created DATETIME(6) NULL, is_active TINYINT(1) NOT NULL, mode VARCHAR(100) "
                + "NOT NULL, user_id INT NOT NULL, UNIQUE KEY student_courseenrollment_user_id_course_id_5d34a47f_uniq "
                + "(user_id, course_id), KEY student_courseenrollment_course_id_a6f93be8 (course_id), "
                + "KEY student_courseenrollment_created_79829893 (created), "
                + "CONSTRAINT student_courseenrollment_user_id_4263a8e2_fk_auth_user_id FOREIGN KEY (user_id) "
                + "REFERENCES auth_user (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        db.execute("CREATE TABLE student_courseenrollmentallowed (id INT AUTO_INCREMENT PRIMARY KEY, email "
                + "VARCHAR(255) NOT NULL, course_id VARCHAR(255) NOT NULL, auto_enroll TINYINT(1) NOT NULL, created "
                + "DATETIME(6) NULL, user_id INT NULL, UNIQUE KEY student_courseenrollmentallowed_email_course_id_1e23ed5e_uniq "
                + "(email, course_id), CONSTRAINT student_courseenrol_user_id_5875cce6_fk_auth_user FOREIGN KEY "
                + "(user_id) REFERENCES auth_user (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        // A table of Open edX's own with an FK to auth_user: not the library's, so adopt() must leave it alone.
        db.execute("CREATE TABLE student_userprofile (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL UNIQUE, "
                + "CONSTRAINT student_userprofile_user_id_fk FOREIGN KEY (user_id) REFERENCES auth_user (id)) "
                + "ENGINE=InnoDB");
        db.execute("INSERT INTO auth_user VALUES (1, 'pbkdf2$x', NULL, 0, 'staff', '', '', 'staff@example.com', 1, 1, "
                + "'2020-01-01 00:00:00'), (2, 'pbkdf2$y', NULL, 0, 'learner', '', '', 'learner@example.com', 0, 1, "
                + "'2020-01-02 00:00:00')");
        db.execute("INSERT INTO student_courseenrollment VALUES (1, 'course-v1:edX+DemoX+Demo_Course', "
                + "'2020-02-01 00:00:00', 1, 'audit', 2), (2, 'course-v1:edX+Old+2019', '2019-01-01 00:00:00', 0, "
                + "'honor', 2)");
        db.execute("INSERT INTO student_userprofile VALUES (1, 2)");
    }

    private long foreignKeysTo(String table) {
        return db.queryLong("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
                + "DATABASE() AND REFERENCED_TABLE_NAME = 'auth_user' AND TABLE_NAME = '" + table + "'");
    }

    @Test
    void adoptDropsOnlyTheUserForeignKeysKeepsRowsAndKeysAndTheLibraryWorks() {
        createOpenEdxTables();
        try (Enrollments e = db.enrollments()) {
            e.adopt();

            assertThat(foreignKeysTo("student_courseenrollment")).isZero();
            assertThat(foreignKeysTo("student_courseenrollmentallowed")).isZero();
            assertThat(foreignKeysTo("student_userprofile")).as("not the library's: kept").isEqualTo(1);
            assertThat(db.count("student_courseenrollment")).isEqualTo(2);
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                    + "DATABASE() AND TABLE_NAME = 'student_courseenrollment' AND INDEX_NAME = "
                    + "'student_courseenrollment_user_id_course_id_5d34a47f_uniq' AND NON_UNIQUE = 0")).isEqualTo(2);
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                    + "DATABASE() AND TABLE_NAME = 'student_courseenrollment' AND COLUMN_NAME = 'user_id' "
                    + "AND SEQ_IN_INDEX = 1")).as("an index still leads with user_id").isPositive();

            User learner = e.users().findByUsername("learner").orElseThrow();
            CourseKey demo = CourseKey.parse("course-v1:edX+DemoX+Demo_Course");
            assertThat(e.enrollments().isEnrolled(learner, demo)).isTrue();
            assertThat(e.enrollments().forUser(learner)).hasSize(2);
            e.enrollments().enroll(learner, CourseKey.parse("course-v1:edX+Old+2019"), CourseMode.VERIFIED);
            Enrollment fresh = e.enrollments().getOrCreate(User.unsaved("newcomer", "new@example.com"), demo);
            assertThat(fresh.user().id()).isPresent();
            e.allowances().allow("later@example.com", demo, true);
            assertThat(db.count("student_historicalcourseenrollment")).isEqualTo(2);

            e.migrate();   // a no-op from now on
            e.adopt();     // and so is adopting again
            // the baseline, V2 and V4
            assertThat(db.queryLong("SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1")).isEqualTo(3);
        }
    }

    @Test
    void adoptChangesNothingAndNamesEverythingMissing() {
        createOpenEdxTables();
        db.execute("ALTER TABLE student_courseenrollment DROP COLUMN mode");
        db.execute("ALTER TABLE auth_user DROP COLUMN date_joined");
        try (Enrollments e = db.enrollments()) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(e::adopt);

            assertThat(thrown).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("adopt changed nothing")
                    .hasMessageContaining("column auth_user.date_joined")
                    .hasMessageContaining("column student_courseenrollment.mode");
        }
        assertThat(foreignKeysTo("student_courseenrollment")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                + "TABLE_NAME IN ('enrollment_schema_history', 'student_historicalcourseenrollment')")).isZero();
    }
}
