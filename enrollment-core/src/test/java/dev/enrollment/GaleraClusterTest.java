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

        long[][] before = wsrepCounters();
        long began = System.nanoTime();
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

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        long[][] after = wsrepCounters();
        StringBuilder figures = new StringBuilder("galera enrollAll of " + n + " against 4 single enrollers: " + millis
                + " ms, enrollAll created " + result.created() + "; per node (cert failures, bf aborts, replays):");
        for (int i = 0; i < 3; i++) {
            figures.append(" node").append(i + 1).append(" (").append(after[i][0] - before[i][0]).append(", ")
                    .append(after[i][1] - before[i][1]).append(", ").append(after[i][2] - before[i][2]).append(")");
        }
        System.out.println(figures);
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

    /** Course capacity stays exact with callers on every node: the seat row's write certifies on the cluster. */
    @Test
    void thirtyCallersOnThreeNodesForRoomForTenSeatExactlyTen() throws Exception {
        CourseKey capped = CourseKey.parse("course-v1:Galera+Capped+1");
        GaleraCluster c = cluster(b -> b.retryAttempts(10).capacity(course -> course.equals(capped)
                ? java.util.OptionalLong.of(10) : java.util.OptionalLong.empty()));
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            users.add(c.node(1 + i % 3).users().save(User.unsaved("seat" + i, "")));
        }
        CyclicBarrier start = new CyclicBarrier(12);
        List<Future<Object>> calls = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Enrollments node = c.node(1 + i % 3);
            User u = users.get(i);
            boolean barrier = i < 12;
            calls.add(pool.submit(() -> {
                if (barrier) {
                    start.await(30, TimeUnit.SECONDS);
                }
                try {
                    return node.enrollments().enroll(u, capped, CourseMode.AUDIT);
                } catch (CourseFullException full) {
                    return full;
                }
            }));
        }
        long seated = 0;
        long refused = 0;
        for (Future<Object> f : calls) {
            Object outcome = f.get(3, TimeUnit.MINUTES);   // throws if any call failed otherwise
            if (outcome instanceof Enrollment) {
                seated++;
            } else {
                assertThat(outcome).isInstanceOf(CourseFullException.class);
                refused++;
            }
        }
        assertThat(seated).isEqualTo(10);
        assertThat(refused).isEqualTo(20);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + capped
                + "' AND is_active")).containsOnly(10L);
    }

    @Test
    void twelveCallersRacingGetOrCreateAndEnrollAcrossTheNodesGetOneRowAndNoError() throws Exception {
        GaleraCluster c = cluster(b -> { });
        for (int round = 0; round < 10; round++) {
            User user = c.node(1 + round % 3).users().save(User.unsaved("racer" + round, ""));
            CourseKey course = CourseKey.parse("course-v1:Galera+Race+R" + round);
            CyclicBarrier start = new CyclicBarrier(12);
            List<Future<Enrollment>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Enrollments node = c.node(1 + i % 3);
                boolean enroll = i % 2 == 0;
                calls.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return enroll ? node.enrollments().enroll(user, course, CourseMode.VERIFIED)
                            : node.enrollments().getOrCreate(user, course);
                }));
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Enrollment> f : calls) {
                ids.add(f.get(2, TimeUnit.MINUTES).id());   // throws if any call failed
            }
            assertThat(ids).as("every caller got the same row").containsOnly(ids.get(0));
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course
                    + "'")).containsOnly(1L);
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course
                    + "' AND is_active AND mode = 'verified'")).as("the enrolls won").containsOnly(1L);
        }
        assertEveryNode(c, 10, 10);
    }

    @Test
    void anUnsavedUserRacedOnEveryNodeIsCreatedOnceWithItsEnrollment() throws Exception {
        GaleraCluster c = cluster(b -> { });
        int rounds = 10;
        for (int round = 0; round < rounds; round++) {
            String name = "newcomer" + round;
            CyclicBarrier start = new CyclicBarrier(6);
            List<Future<Enrollment>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Enrollments node = c.node(1 + i % 3);
                calls.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return node.enrollments().getOrCreate(User.unsaved(name, name + "@example.com"), COURSE);
                }));
            }
            List<Enrollment> won = new ArrayList<>();
            for (Future<Enrollment> f : calls) {
                try {
                    won.add(f.get(2, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).as("the losers are told the username is taken, nothing else")
                            .isInstanceOf(UserAlreadyExistsException.class);
                }
            }
            assertThat(won).as("one caller created the user and its enrollment").hasSize(1);
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM auth_user WHERE username = '" + name + "'"))
                    .containsOnly(1L);
            assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment e JOIN auth_user u "
                    + "ON u.id = e.user_id WHERE u.username = '" + name + "'")).containsOnly(1L);
        }
        assertEveryNode(c, rounds, rounds);
    }

    @Test
    void mixedWritesFromNineThreadsOnThreeNodesKeepEveryInvariantAndReachNoCaller() throws Exception {
        GaleraCluster c = cluster(b -> { });
        int userCount = 120;
        List<User> users = new ArrayList<>();
        for (int i = 0; i < userCount; i++) {
            users.add(c.node(1 + i % 3).users().save(User.unsaved("mixed" + i, "")));
        }
        List<CourseKey> courses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            courses.add(CourseKey.parse("course-v1:Galera+Mixed+C" + i));
        }
        CourseMode[] modes = {CourseMode.AUDIT, CourseMode.VERIFIED, CourseMode.HONOR};
        CyclicBarrier start = new CyclicBarrier(9);
        List<Future<Long>> workers = new ArrayList<>();
        for (int t = 0; t < 9; t++) {
            Enrollments node = c.node(1 + t % 3);
            long seed = 42 + t;
            workers.add(pool.submit(() -> {
                java.util.Random random = new java.util.Random(seed);
                start.await(30, TimeUnit.SECONDS);
                long calls = 0;
                for (int i = 0; i < 120; i++) {
                    User u = users.get(random.nextInt(8) + (random.nextBoolean() ? 0 : random.nextInt(userCount - 8)));
                    CourseKey course = courses.get(random.nextInt(courses.size()));
                    switch (random.nextInt(5)) {
                        case 0:
                            node.enrollments().getOrCreate(u, course);
                            break;
                        case 1:
                        case 2:
                            node.enrollments().enroll(u, course, modes[random.nextInt(modes.length)]);
                            break;
                        case 3:
                            try {
                                node.enrollments().unenroll(u, course);
                            } catch (NotFoundException none) {
                                // not enrolled there yet: an answer, not an error
                            }
                            break;
                        default:
                            int from = random.nextInt(userCount - 10);
                            node.enrollments().enrollAll(course, CourseMode.AUDIT, users.subList(from, from + 10));
                    }
                    calls++;
                }
                return calls;
            }));
        }
        for (Future<Long> f : workers) {
            assertThat(f.get(5, TimeUnit.MINUTES)).isEqualTo(120L);   // throws if any call failed
        }
        long rows = c.queryLong(1, "SELECT COUNT(*) FROM student_courseenrollment");
        assertThat(rows).isPositive();
        assertEveryNode(c, rows, userCount);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM " + GaleraCluster.HISTORY_TABLE + " h JOIN "
                + "student_courseenrollment e ON e.id = h.id WHERE h.user_id <> e.user_id "
                + "OR h.course_id <> e.course_id")).as("history rows describe their enrollment").containsOnly(0L);
    }

    @Test
    void sweepOnOneNodeRemovesOrphansLeftByAnotherNodeWhileTheThirdKeepsEnrolling() throws Exception {
        GaleraCluster c = cluster(b -> { });
        int n = 300;
        loadUsers(c, n);
        List<User> users = BulkUsersOn.byId(c.node(1), n);
        CourseKey other = CourseKey.parse("course-v1:Galera+Other+2026");
        c.node(1).enrollments().enrollAll(COURSE, CourseMode.AUDIT, users);
        // Another service deletes every third user on node 2, behind the library's back: their rows are orphans.
        c.execute(2, "DELETE FROM auth_user WHERE MOD(id, 3) = 0");
        List<User> live = users.stream().filter(u -> u.id().getAsLong() % 3 != 0).collect(Collectors.toList());

        CyclicBarrier start = new CyclicBarrier(2);
        Future<Long> enroller = pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            long done = 0;
            for (User u : live) {
                c.node(3).enrollments().enroll(u, other, CourseMode.HONOR);
                c.node(3).enrollments().enroll(u, COURSE, CourseMode.VERIFIED);
                done++;
            }
            return done;
        });
        Future<SweepResult> sweep = pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            return c.node(1).orphans().sweep(SweepOptions.delete().batchSize(25).pause(java.time.Duration.ZERO));
        });
        SweepResult swept = sweep.get(5, TimeUnit.MINUTES);
        assertThat(enroller.get(5, TimeUnit.MINUTES)).isEqualTo((long) live.size());

        assertThat(swept.deleted()).isEqualTo(n / 3);
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + COURSE + "'"))
                .as("every live user keeps its enrollment; every orphan is gone").containsOnly((long) live.size());
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + COURSE
                + "' AND is_active AND mode = 'verified'")).containsOnly((long) live.size());
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM " + GaleraCluster.HISTORY_TABLE + " WHERE history_type = '-'"))
                .as("one '-' per swept row").containsOnly((long) n / 3);
        for (int node = 1; node <= 3; node++) {
            assertThat(c.node(node).orphans().audit().orphans()).isZero();
        }
        assertEveryNode(c, 2L * live.size(), live.size());
    }

    @Test
    void aTransactionThatNeverWaitedFailsAtCommitWithARetryableConflictWhenAnotherNodeWroteItsRow()
            throws Exception {
        GaleraCluster c = cluster(b -> { });
        User u = c.node(1).users().save(User.unsaved("conflicted", ""));
        long id = u.id().getAsLong();
        c.onEveryNode("SELECT COUNT(*) FROM auth_user");
        try (Connection one = c.dataSource(1).getConnection(); Connection two = c.dataSource(2).getConnection()) {
            one.setAutoCommit(false);
            try (var st = one.createStatement()) {
                st.executeUpdate("UPDATE auth_user SET first_name = 'one' WHERE id = " + id);
            }
            try (var st = two.createStatement()) {
                st.executeUpdate("UPDATE auth_user SET first_name = 'two' WHERE id = " + id);   // autocommit
            }
            SQLException atCommit = null;
            try {
                one.commit();
            } catch (SQLException e) {
                atCommit = e;
            }
            if (atCommit == null) {
                // Node 2's write set reached node 1 before the commit and aborted the transaction there: the
                // same error comes at the next statement instead.
                try (var st = one.createStatement()) {
                    st.executeQuery("SELECT 1").close();
                } catch (SQLException e) {
                    atCommit = e;
                }
            }
            assertThat((Throwable) atCommit).as("the cluster refused the transaction").isNotNull();
            assertThat(atCommit.getErrorCode()).isEqualTo(1213);
            assertThat(atCommit.getSQLState()).isEqualTo("40001");
            assertThat(dev.enrollment.internal.Failures.isRetryable(atCommit)).isTrue();
            one.rollback();
        }
        assertThat(c.onEveryNode("SELECT COUNT(*) FROM auth_user WHERE first_name = 'two'")).containsOnly(1L);
    }

    @Test
    void readsOnAnotherNodeSeeTheWriteJustCommittedWhenTheUrlAsksForCausalReads() {
        GaleraCluster c = cluster(b -> { });
        try (Enrollments causal = Enrollments.builder()
                .jdbcUrl(c.url(1) + "&sessionVariables=wsrep_sync_wait=1", c.user(), c.password())
                .maximumPoolSize(2).build()) {
            for (int i = 0; i < 100; i++) {
                User u = c.node(2).users().save(User.unsaved("causal" + i, ""));
                CourseKey course = CourseKey.parse("course-v1:Galera+Causal+C" + i);
                c.node(2).enrollments().enroll(u, course, CourseMode.HONOR);
                assertThat(causal.users().findByUsername("causal" + i)).as("round %d", i).isPresent();
                assertThat(causal.enrollments().isEnrolled(u, course)).as("round %d", i).isTrue();
            }
        }
    }

    /** Each node's wsrep_local_cert_failures, wsrep_local_bf_aborts and wsrep_local_replays. */
    private static long[][] wsrepCounters() {
        long[][] counters = new long[3][];
        for (int n = 1; n <= 3; n++) {
            counters[n - 1] = new long[] {GaleraCluster.status(n, "wsrep_local_cert_failures"),
                    GaleraCluster.status(n, "wsrep_local_bf_aborts"), GaleraCluster.status(n, "wsrep_local_replays")};
        }
        return counters;
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
            List<Long> ids = c.ids(n, "SELECT id FROM student_courseenrollment");
            assertThat(ids).as("enrollments on node %d", n).allSatisfy(id -> assertThat(history.get(id))
                    .as("history of enrollment %d", id).isNotNull().containsEntry("+", 1L));
            assertThat(history.values()).as("no enrollment created twice").allSatisfy(h ->
                    assertThat(h.get("+")).isEqualTo(1L));
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
