package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Race-safety of getOrCreate and enroll, with real threads (rule 3 and rule 4 of shared/DESIGN.md): on MariaDB, and
 * on H2, the test kit's default, whose MVStore reports some races as 90131 (concurrent update) or a lock timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConcurrencyContract {
    private final int THREADS = threads();
    private static final int ROUNDS = 20;

    abstract TestDatabase.Kind kind();

    abstract int threads();

    private TestDatabase db;
    private Enrollments enrollments;
    private ExecutorService pool;

    @BeforeAll
    void open() {
        db = TestDatabase.create(kind(), THREADS + 2);
        enrollments = db.migrated();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    void close() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (enrollments != null) {
            enrollments.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Runs the same task on every thread, released together by a barrier; returns each thread's outcome. */
    private <T> List<Object> race(Callable<T> task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return task.call();
            }));
        }
        List<Object> outcomes = new ArrayList<>();
        for (Future<T> f : futures) {
            try {
                outcomes.add(f.get(60, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        return outcomes;
    }

    @Test
    void concurrentGetOrCreateForOneSavedUserAndCourseYieldsOneRow() throws Exception {
        User user = enrollments.users().save(User.unsaved("racer", "racer@example.com"));
        for (int round = 0; round < ROUNDS; round++) {
            CourseKey course = CourseKey.parse("course-v1:Race+Saved+R" + round);

            List<Object> outcomes = race(() -> enrollments.enrollments().getOrCreate(user, course));

            assertThat(outcomes).as("round %d: every caller gets an enrollment, none an exception", round)
                    .allSatisfy(o -> assertThat(o).isInstanceOf(Enrollment.class));
            Set<Long> ids = outcomes.stream().map(o -> ((Enrollment) o).id()).collect(Collectors.toSet());
            assertThat(ids).as("round %d: one id for all callers", round).hasSize(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = "
                    + user.id().getAsLong() + " AND course_id = '" + course + "'")).isEqualTo(1);
            assertThat(outcomes).allSatisfy(o -> assertThat(o).isEqualTo(outcomes.get(0)));
        }
    }

    @Test
    void concurrentEnrollForOneUserAndCourseYieldsOneActiveRowAndNoError() throws Exception {
        User user = enrollments.users().save(User.unsaved("enroller", ""));
        for (int round = 0; round < ROUNDS; round++) {
            CourseKey course = CourseKey.parse("course-v1:Race+Enroll+R" + round);

            List<Object> outcomes = race(() -> enrollments.enrollments().enroll(user, course, CourseMode.VERIFIED));

            assertThat(outcomes).as("round %d: every caller gets the enrollment, none an exception", round)
                    .allSatisfy(o -> assertThat(o).isInstanceOf(Enrollment.class));
            assertThat(outcomes.stream().map(o -> ((Enrollment) o).id()).collect(Collectors.toSet())).hasSize(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course
                    + "' AND is_active = TRUE AND mode = 'verified'")).isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE course_id = '"
                    + course + "'")).as("one history row: the creation").isEqualTo(1);
        }
    }

    @Test
    void concurrentUnsavedUsersWithOneUsernameMakeOneUserAndOneEnrollment() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String username = "dup_" + round;
            CourseKey course = CourseKey.parse("course-v1:Race+Unsaved+R" + round);

            // Each thread has its own unsaved User instance, as separate requests would.
            List<Object> outcomes = race(() -> enrollments.enrollments()
                    .getOrCreate(User.unsaved(username, Thread.currentThread().getName() + "@example.com"), course));

            List<Object> enrolled = outcomes.stream().filter(o -> o instanceof Enrollment).collect(Collectors.toList());
            List<Object> refused = outcomes.stream().filter(o -> o instanceof UserAlreadyExistsException)
                    .collect(Collectors.toList());
            assertThat(enrolled).as("round %d: exactly one caller created the user", round).hasSize(1);
            assertThat(refused).as("round %d: every other caller was refused", round).hasSize(THREADS - 1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE username = '" + username + "'"))
                    .isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course + "'"))
                    .isEqualTo(1);
            Enrollment winner = (Enrollment) enrolled.get(0);
            assertThat(enrollments.users().findByUsername(username)).contains(winner.user());
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e "
                + "WHERE NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = e.user_id)"))
                .as("no enrollment points to a missing user").isZero();
    }
}
