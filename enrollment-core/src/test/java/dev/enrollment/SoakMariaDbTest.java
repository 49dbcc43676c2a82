package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 16 threads mix every repository operation on MariaDB for a while, then a checker asserts the invariants. CI runs
 * 20 seconds; a longer run: {@code mvn -B -pl enrollment-core test -Dtest=SoakMariaDbTest -Dsoak.seconds=300
 * -Dsurefire.failIfNoSpecifiedTests=false} (figures in BENCHMARKS.md).
 */
class SoakMariaDbTest {
    private static final int THREADS = 16;
    private static final int USERS = 400;
    private static final int COURSES = 40;
    private static final CourseMode[] MODES = {CourseMode.AUDIT, CourseMode.VERIFIED, CourseMode.HONOR};

    private final Map<String, LongAdder> ops = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    private void count(Map<String, LongAdder> m, String key) {
        m.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static <T> T any(List<T> list) {
        return list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }

    @Test
    void sixteenThreadsMixingEveryOperationKeepEveryInvariant() throws Exception {
        long seconds = Long.getLong("soak.seconds", 20);
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB, 2)) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.url());
            config.setUsername(db.user());
            config.setPassword(db.password());
            config.setMaximumPoolSize(THREADS + 4);
            config.setLeakDetectionThreshold(30_000);
            AtomicLong events = new AtomicLong();
            try (HikariDataSource ds = new HikariDataSource(config);
                 Enrollments e = Enrollments.builder().dataSource(ds).batchSize(50)
                         .listener(ev -> events.incrementAndGet()).build()) {
                e.migrate();
                List<User> users = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    users.add(e.users().save(User.unsaved("soak" + i, "soak" + i + "@example.com")));
                }
                List<CourseKey> courses = new ArrayList<>();
                for (int i = 0; i < COURSES; i++) {
                    courses.add(CourseKey.parse("course-v1:Soak+C" + i + "+2026"));
                }
                long heapBefore = usedHeapAfterGc();
                long historyBefore = db.count("student_courseenrollment_history");
                long eventsBefore = events.get();

                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    workers.add(pool.submit(() -> {
                        List<User> mine = new ArrayList<>();   // users this thread created: only it deletes them
                        for (long i = 0; System.nanoTime() < until; i++) {
                            step(e, users, courses, mine, thread, i);
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get(seconds + 120, TimeUnit.SECONDS);   // an exception outside the library's fails here
                }
                pool.shutdown();

                long heapAfter = usedHeapAfterGc();
                long history = db.count("student_courseenrollment_history") - historyBefore;
                long totalOps = ops.values().stream().mapToLong(LongAdder::sum).sum();
                long totalErrors = errors.values().stream().mapToLong(LongAdder::sum).sum();
                System.out.printf("soak: %d s, %d threads, %d operations (%.0f/s), errors %s, history rows %d, "
                                + "events %d, heap after GC %d -> %d MiB, active connections %d%n  operations %s%n",
                        seconds, THREADS, totalOps, totalOps / (double) seconds, snapshot(errors), history,
                        events.get() - eventsBefore, heapBefore >> 20, heapAfter >> 20,
                        ds.getHikariPoolMXBean().getActiveConnections(), snapshot(ops));

                assertThat(totalOps).isPositive();
                assertThat(ds.getHikariPoolMXBean().getActiveConnections()).as("no connection leaked").isZero();
                assertThat(heapAfter - heapBefore).as("heap flat").isLessThan(64L << 20);
                assertThat(events.get() - eventsBefore).as("one event per history row").isEqualTo(history);
                assertThat(totalErrors).as("failures beyond the expected NotFound: %s", snapshot(errors))
                        .isLessThanOrEqualTo(totalOps / 1000);
            }
            check(db);
        }
    }

    private void step(Enrollments e, List<User> users, List<CourseKey> courses, List<User> mine, int thread, long i) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        EnrollmentRepository repo = e.enrollments();
        User u = any(users);
        CourseKey c = any(courses);
        CourseMode m = MODES[r.nextInt(MODES.length)];
        int op = r.nextInt(100);
        String name;
        try {
            if (op < 20) {
                name = "getOrCreate";
                repo.getOrCreate(u, c);
            } else if (op < 25) {
                name = "getOrCreate(unsaved)";
                mine.add(repo.getOrCreate(User.unsaved("t" + thread + "_" + i, "t" + thread + "_" + i + "@x.org"), c)
                        .user());
            } else if (op < 40) {
                name = "enroll";
                repo.enroll(u, c, m);
            } else if (op < 48) {
                name = "unenroll";
                repo.unenroll(u, c);
            } else if (op < 55) {
                name = "changeMode";
                repo.changeMode(u, c, m);
            } else if (op < 65) {
                name = "find/isEnrolled";
                repo.find(u, c);
                repo.isEnrolled(u, c);
            } else if (op < 70) {
                name = "forUser";
                repo.forUser(u);
            } else if (op < 74) {
                name = "forCourse";
                try (Stream<Enrollment> s = repo.forCourse(c)) {
                    s.limit(r.nextInt(1, 50)).forEach(x -> { });
                }
            } else if (op < 77) {
                name = "usersInCourse";
                try (Stream<User> s = repo.usersInCourse(c, CourseFilter.includingInactive())) {
                    s.count();
                }
            } else if (op < 80) {
                name = "countsByMode";
                repo.countsByMode(c);
            } else if (op < 84) {
                name = "enrollAll";
                List<User> some = r.ints(20, 0, users.size()).mapToObj(users::get).collect(Collectors.toList());
                repo.enrollAll(c, m, some);
            } else if (op < 89) {
                name = "transaction";
                e.transaction(tx -> {
                    tx.enrollments().enroll(u, c, m);
                    tx.enrollments().changeMode(u, c, MODES[r.nextInt(MODES.length)]);
                });
            } else if (op < 93) {
                name = "allow+save";
                String email = "pre" + thread + "_" + i + "@x.org";
                e.allowances().allow(email, c, r.nextBoolean());
                mine.add(e.users().save(User.unsaved("p" + thread + "_" + i, email)));
            } else if (op < 96 && !mine.isEmpty()) {
                name = "delete";
                e.users().delete(mine.remove(r.nextInt(mine.size())));
            } else {
                name = "changedBy";
                repo.changedBy(any(users), "soak").enroll(u, c, m);
            }
            count(ops, name);
        } catch (NotFoundException expected) {
            count(ops, "notFound");
        } catch (EnrollmentException failure) {
            count(errors, failure.getClass().getSimpleName() + (failure instanceof DatabaseException
                    ? "(" + ((DatabaseException) failure).errorCode() + ")" : ""));
        }
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> s = new TreeMap<>();
        m.forEach((k, v) -> s.put(k, v.sum()));
        return s;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** The invariants, read from the database itself. */
    static void check(TestDatabase db) {
        assertThat(db.queryLong("SELECT COUNT(*) FROM (SELECT user_id FROM student_courseenrollment "
                + "GROUP BY user_id, course_id HAVING COUNT(*) > 1) d")).as("one row per user and course").isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS "
                + "(SELECT 1 FROM auth_user u WHERE u.id = e.user_id)")).as("no orphan from library calls").isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS "
                + "(SELECT 1 FROM student_courseenrollment_history h WHERE h.id = e.id)")).as("every row has history")
                .isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM (SELECT id FROM student_courseenrollment_history "
                + "WHERE history_type = '+' GROUP BY id HAVING COUNT(*) <> 1) d")).as("one '+' per enrollment").isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e JOIN student_courseenrollment_history h "
                + "ON h.id = e.id AND h.history_id = (SELECT MAX(h2.history_id) FROM student_courseenrollment_history h2 "
                + "WHERE h2.id = e.id) WHERE h.history_type = '-' OR h.is_active <> e.is_active OR h.mode <> e.mode "
                + "OR h.course_id <> e.course_id OR h.user_id <> e.user_id"))
                .as("each row's latest history row is its current state").isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history h WHERE h.history_id = "
                + "(SELECT MAX(h2.history_id) FROM student_courseenrollment_history h2 WHERE h2.id = h.id) "
                + "AND NOT EXISTS (SELECT 1 FROM student_courseenrollment e WHERE e.id = h.id) "
                + "AND h.history_type <> '-'")).as("a row that is gone ends its history with '-'").isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollmentallowed a WHERE a.user_id IS NOT NULL "
                + "AND a.auto_enroll = TRUE AND NOT EXISTS (SELECT 1 FROM student_courseenrollment e WHERE "
                + "e.user_id = a.user_id AND e.course_id = a.course_id)"))
                .as("a used auto-enroll allowance has its enrollment, or its user was deleted with it").isZero();
    }
}
