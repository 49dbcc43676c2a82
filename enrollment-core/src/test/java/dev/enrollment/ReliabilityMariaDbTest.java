package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** What the library does when things break, for real on MariaDB: exhausted pools, killed connections, secrets. */
class ReliabilityMariaDbTest {
    private TestDatabase db;

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 4);
        try (Enrollments e = db.enrollments()) {
            e.migrate();
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    private HikariDataSource pool(int size, long timeoutMillis) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("reliability");
        config.setJdbcUrl(db.url());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(timeoutMillis);
        config.setLeakDetectionThreshold(10_000);
        return new HikariDataSource(config);
    }

    @Test
    void anExhaustedPoolFailsFastNamingItsSizeAndTimeoutAndLeaksNothing() {
        try (HikariDataSource ds = pool(2, 500); Enrollments e = Enrollments.builder().dataSource(ds).build()) {
            User u = e.users().save(User.unsaved("busy", ""));
            CourseKey c = CourseKey.parse("course-v1:Pool+Dry+1");
            e.enrollments().enroll(u, c, CourseMode.AUDIT);
            Stream<Enrollment> first = e.enrollments().forCourse(c);     // each open stream holds a connection
            Stream<Enrollment> second = e.enrollments().forCourse(c);

            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> e.enrollments().isEnrolled(u, c));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(thrown).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("isEnrolled failed")
                    .hasMessageContaining("of 2 connections")
                    .hasMessageContaining("500 ms connection timeout")
                    .hasMessageContaining("every connection is busy");
            assertThat(thrown.getCause()).isInstanceOf(SQLException.class);
            assertThat(waitedMillis).as("bounded by the timeout, not hung").isLessThan(10_000);
            first.close();
            second.close();
            assertThat(e.enrollments().isEnrolled(u, c)).isTrue();
            assertThat(ds.getHikariPoolMXBean().getActiveConnections()).as("no leaked connection").isZero();
        }
    }

    /** Kills the library's connections to this test's database at random until stopped. */
    private Future<Integer> killer(ExecutorService pool, AtomicBoolean stop) {
        return pool.submit(() -> {
            int killed = 0;
            try (Connection admin = TestDatabase.adminConnection(TestDatabase.Kind.MARIADB);
                 Statement s = admin.createStatement()) {
                while (!stop.get()) {
                    List<Long> ids = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '"
                            + db.name() + "' AND ID <> CONNECTION_ID()")) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                    if (!ids.isEmpty()) {
                        try {
                            s.execute("KILL " + ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
                            killed++;
                        } catch (SQLException gone) {
                            // it ended on its own meanwhile
                        }
                    }
                    Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
                }
            }
            return killed;
        });
    }

    @Test
    void killedConnectionsLeaveNoHalfWrittenUserAndTheLibraryRecoversByItself() throws Exception {
        int threads = 8;
        CourseKey course = CourseKey.parse("course-v1:Kill+Conn+1");
        java.util.Map<String, Boolean> outcomes = new ConcurrentHashMap<>();   // username -> succeeded
        AtomicInteger failures = new AtomicInteger();
        try (HikariDataSource ds = pool(threads, 5_000); Enrollments e = Enrollments.builder().dataSource(ds).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            AtomicBoolean stop = new AtomicBoolean();
            Future<Integer> kills = killer(pool, stop);
            List<Future<?>> workers = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < until; i++) {
                        String name = "k" + thread + "_" + i;
                        try {
                            e.enrollments().getOrCreate(User.unsaved(name, name + "@example.com"), course);
                            outcomes.put(name, true);
                        } catch (DatabaseException failure) {
                            assertThat(failure.getMessage()).contains("getOrCreate failed");
                            outcomes.put(name, false);
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);   // any exception other than DatabaseException fails the test here
            }
            stop.set(true);
            assertThat(kills.get(10, TimeUnit.SECONDS)).as("connections were killed").isPositive();
            settle();
            pool.shutdown();
            assertThat(failures.get()).as("some calls failed").isPositive();

            // Afterwards: the same Enrollments serves calls again, without a restart.
            for (int i = 0; i < 20; i++) {
                assertThat(e.enrollments().getOrCreate(User.unsaved("after" + i, ""), course).id()).isPositive();
            }
            assertThat(ds.getHikariPoolMXBean().getActiveConnections()).isZero();
        }

        // Every call, failed or not, is either fully written or not at all: never a user without its enrollment.
        assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user u WHERE NOT EXISTS (SELECT 1 FROM "
                + "student_courseenrollment e WHERE e.user_id = u.id)")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS (SELECT 1 FROM "
                + "auth_user u WHERE u.id = e.user_id)")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS (SELECT 1 FROM "
                + "student_courseenrollment_history h WHERE h.id = e.id AND h.history_type = '+')")).isZero();
        long succeeded = outcomes.values().stream().filter(ok -> ok).count();
        long written = outcomes.keySet().stream().filter(n -> db.queryLong(
                "SELECT COUNT(*) FROM auth_user WHERE username = '" + n + "'") == 1).count();
        // Succeeded calls are written; a failed call may have been written too (its commit went through but the
        // answer was lost), but never half.
        assertThat(written).isBetween(succeeded, (long) outcomes.size());
        for (java.util.Map.Entry<String, Boolean> o : outcomes.entrySet()) {
            if (o.getValue()) {
                assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE username = '" + o.getKey() + "'"))
                        .as(o.getKey()).isEqualTo(1);
            }
        }
    }

    @Test
    void aBulkRunBrokenByKilledConnectionsIsCompletedByARerunWithNoDuplicates() throws Exception {
        int n = 100_000;
        BulkUsers.load(db, "bulk", n);
        CourseKey course = CourseKey.parse("course-v1:Kill+Bulk+1");
        try (HikariDataSource ds = pool(4, 5_000); Enrollments e = Enrollments.builder().dataSource(ds).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(1);
            AtomicBoolean stop = new AtomicBoolean();
            Future<Integer> kills = killer(pool, stop);
            Throwable broken = null;
            try {
                e.enrollments().enrollAll(course, CourseMode.VERIFIED, BulkUsers.byId(e, n));
            } catch (EnrollmentException failure) {
                broken = failure;
            } finally {
                stop.set(true);
                kills.get(10, TimeUnit.SECONDS);
                pool.shutdown();
                settle();
            }
            assertThat(broken).as("the killer broke the run").isInstanceOf(DatabaseException.class);
            long partial = db.queryLong("SELECT COUNT(*) FROM student_courseenrollment");
            assertThat(partial).isLessThan(n);

            BulkResult rerun = e.enrollments().enrollAll(course, CourseMode.VERIFIED, BulkUsers.byId(e, n));

            assertThat(rerun.total()).isEqualTo(n);
            assertThat(rerun.created()).isEqualTo(n - partial);
            assertThat(rerun.alreadyEnrolled()).isEqualTo(partial);
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course
                + "' AND is_active = TRUE")).isEqualTo(n);
        assertThat(db.queryLong("SELECT COUNT(*) FROM (SELECT user_id FROM student_courseenrollment GROUP BY user_id, "
                + "course_id HAVING COUNT(*) > 1) d")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '+'"))
                .as("one history row per enrollment: a rolled-back batch wrote none").isEqualTo(n);
    }


    /**
     * The killer also kills the test's own pooled connections; HikariCP hands out a connection used within the
     * last 500 ms without validating it. Past that window, dead ones are found and replaced on borrow.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(1_000);
    }

    @Test
    void noMessageOrLogLineContainsAPassword() {
        String secret = "S3cret-" + System.nanoTime();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        List<Throwable> failures = new ArrayList<>();
        System.setErr(capture);
        System.setOut(capture);
        try {
            // A wrong password, given both ways, to a reachable server.
            failures.add(catchThrowable(() -> Enrollments.builder()
                    .jdbcUrl("jdbc:mysql://127.0.0.1:3306/" + db.name() + "?password=" + secret, "nobody_" + secret
                            .length(), secret).connectionTimeout(Duration.ofSeconds(2)).build()));
            // An unreachable server.
            failures.add(catchThrowable(() -> Enrollments.builder()
                    .jdbcUrl("jdbc:mysql://127.0.0.1:9/x?connectTimeout=500&password=" + secret, "root", secret)
                    .connectionTimeout(Duration.ofMillis(500)).build()));
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        assertThat(failures).allSatisfy(f -> {
            assertThat(f).isInstanceOf(DatabaseException.class);
            for (Throwable t = f; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
                assertThat(t.getClass().getName()).doesNotStartWith("com.zaxxer");
            }
        });
        assertThat(failures.get(1)).hasMessageContaining("127.0.0.1:9");
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(secret);
    }

}
