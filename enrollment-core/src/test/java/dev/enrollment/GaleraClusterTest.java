package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library on a real 3-node MariaDB Galera cluster ({@code .ci/galera start}), with writes on every node at once:
 * threads spread over the three nodes race on the same users and courses; certification conflicts must never reach
 * a caller, and every invariant the FK used to keep holds on every node afterwards.
 */
class GaleraClusterTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Galera+Cluster+2026");

    private final List<GaleraCluster> clusters = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void open() {
        pool = Executors.newFixedThreadPool(12);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        for (GaleraCluster c : clusters) {
            c.close();
        }
    }

    private GaleraCluster cluster(java.util.function.Consumer<Enrollments.Builder> options) {
        GaleraCluster c = GaleraCluster.create(12, options);
        clusters.add(c);
        return c;
    }

    @Test
    void enrollAllOnOneNodeCompletesWhileTheOtherNodesEnrollTheSameUsersOneByOne() throws Exception {
        AtomicLong createdEvents = new AtomicLong();
        GaleraCluster c = cluster(b -> b.listener(e -> {
            if (e.type() == EnrollmentEvent.Type.CREATED) {
                createdEvents.incrementAndGet();
            }
        }));
        int n = 3000;
        loadUsers(c, n);
        List<User> users = new ArrayList<>();
        BulkUsersOn.byId(c.node(1), n).forEach(users::add);
        List<User> backwards = new ArrayList<>(users);
        Collections.reverse(backwards);

        CyclicBarrier start = new CyclicBarrier(5);
        Future<BulkResult> bulk = pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            return c.node(1).enrollments().enrollAll(COURSE, CourseMode.VERIFIED, users);
        });
        List<Future<Long>> singles = new ArrayList<>();
        singles.add(pool.submit(oneByOne(c.node(2), users, 0, start)));
        singles.add(pool.submit(oneByOne(c.node(2), users, 1, start)));
        singles.add(pool.submit(oneByOne(c.node(3), backwards, 0, start)));
        singles.add(pool.submit(oneByOne(c.node(3), backwards, 1, start)));

        BulkResult result = bulk.get(10, TimeUnit.MINUTES);   // throws if enrollAll failed
        long enrolledOneByOne = 0;
        for (Future<Long> f : singles) {
            enrolledOneByOne += f.get(10, TimeUnit.MINUTES);   // throws if any enroll failed
        }

        assertThat(result.created() + result.alreadyEnrolled() + result.reactivated()).isEqualTo(n);
        assertThat(enrolledOneByOne).as("nodes 2 and 3 each enrolled every user").isEqualTo(2L * n);
        assertThat(createdEvents.get()).as("one CREATED event per row, on whichever node created it").isEqualTo(n);
        assertEveryNode(c, n, n);
    }

    @Test
    void concurrentMigrateOnTwoNodesAppliesEachMigrationOnceAndBothCallsReturn() throws Exception {
        for (int round = 0; round < 3; round++) {
            GaleraCluster c = GaleraCluster.createUnmigrated(4, b -> { });
            clusters.add(c);
            CyclicBarrier start = new CyclicBarrier(3);
            List<Future<?>> calls = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                Enrollments node = c.node(n);
                calls.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    node.migrate();
                    return null;
                }));
            }
            for (Future<?> f : calls) {
                f.get(5, TimeUnit.MINUTES);   // throws if a migrate failed
            }
            long migrations = c.queryLong(1, "SELECT COUNT(*) FROM enrollment_schema_history WHERE version IS NOT NULL");
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1"))
                    .as("each migration recorded once, successfully, on every node").containsOnly(migrations);
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 0"))
                    .containsOnly(0L);
            assertThat(migrations).isGreaterThanOrEqualTo(2);
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '"
                    + c.name() + "' AND table_name LIKE 'enrollment\\_migration\\_lock%'"))
                    .as("the migration lock is released").containsOnly(0L);
            // The schema works from every node.
            for (int n = 1; n <= 3; n++) {
                User u = c.node(n).users().save(User.unsaved("migrated" + n, ""));
                c.node(n).enrollments().enroll(u, COURSE, CourseMode.AUDIT);
            }
        }
    }

    @Test
    void aMigrationLockLeftBehindMakesMigrateFailNamingTheTableAndChangesNothing() {
        GaleraCluster c = GaleraCluster.createUnmigrated(2, b -> { });
        clusters.add(c);
        c.execute(2, "CREATE TABLE " + dev.enrollment.internal.MigrationLock.TABLE + " (id INT PRIMARY KEY)");

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() ->
                dev.enrollment.internal.MigrationLock.around(c.dataSource(1), dev.enrollment.internal.Dialect.MARIADB,
                        "migrate", java.time.Duration.ofSeconds(1), () -> {
                            throw new AssertionError("must not migrate without the lock");
                        }));

        assertThat(thrown).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("migrate failed")
                .hasMessageContaining("DROP TABLE enrollment_migration_lock");
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '"
                + c.name() + "'")).as("only the lock table").containsOnly(1L);
        c.execute(1, "DROP TABLE " + dev.enrollment.internal.MigrationLock.TABLE);
        c.node(1).migrate();
        assertThat(c.queryLong(3, "SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1"))
                .isGreaterThanOrEqualTo(2);
    }

    /** Enrolls every other user of the list (offset 0 or 1), one call each; returns how many calls returned. */
    private static Callable<Long> oneByOne(Enrollments node, List<User> users, int offset, CyclicBarrier start) {
        return () -> {
            start.await(30, TimeUnit.SECONDS);
            long done = 0;
            for (int i = offset; i < users.size(); i += 2) {
                Enrollment e = node.enrollments().enroll(users.get(i), COURSE, CourseMode.VERIFIED);
                assertThat(e.isActive()).isTrue();
                done++;
            }
            return done;
        };
    }

    /** One active row per (user, course) on every node, and exactly one '+' history row per enrollment. */
    private static void assertEveryNode(GaleraCluster c, long rows, long users) {
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment")).containsOnly(rows);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM (SELECT user_id, course_id FROM student_courseenrollment "
                + "GROUP BY user_id, course_id HAVING COUNT(*) > 1) d")).containsOnly(0L);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM auth_user")).containsOnly(users);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS "
                + "(SELECT 1 FROM auth_user u WHERE u.id = e.user_id)")).as("no orphan").containsOnly(0L);
        for (int n = 1; n <= c.size(); n++) {
            Map<Long, Map<String, Long>> history = c.historyByEnrollment(n);
            long enrollments = c.queryLong(n, "SELECT COUNT(*) FROM student_courseenrollment");
            assertThat(history).as("history on node %d", n).hasSize((int) enrollments);
            assertThat(history.values()).allSatisfy(h -> assertThat(h.get("+")).isEqualTo(1L));
        }
    }

    /** Users with ids 1..n written on node 1 behind the library's back. */
    private static void loadUsers(GaleraCluster c, long n) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection conn = c.dataSource(1).getConnection();
             PreparedStatement ps = conn.prepareStatement("INSERT INTO auth_user (id, password, is_superuser, "
                     + "username, first_name, last_name, email, is_staff, is_active, date_joined) "
                     + "VALUES (?, '!', FALSE, ?, '', '', '', FALSE, TRUE, ?)")) {
            for (long i = 1; i <= n; i++) {
                ps.setLong(1, i);
                ps.setString(2, "g" + i);
                ps.setTimestamp(3, now);
                ps.addBatch();
                if (i % 1000 == 0 || i == n) {
                    ps.executeBatch();
                }
            }
        }
    }

    /** Saved users 1..n read from one node. */
    private static final class BulkUsersOn {
        static List<User> byId(Enrollments e, long n) {
            List<User> all = new ArrayList<>();
            for (long from = 1; from <= n; from += 1000) {
                all.addAll(e.users().findAllById(LongStream.rangeClosed(from, Math.min(n, from + 999)).boxed()
                        .collect(Collectors.toList())));
            }
            return all;
        }
    }
}
