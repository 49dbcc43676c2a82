package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * enrollAll beside concurrent getOrCreate and enroll calls on the same users and course, with real threads: the
 * bulk path writes its history on the server from the rows it just inserted, so it must count and write exactly
 * what it created and reactivated, whatever the others do meanwhile, and nobody may fail.
 */
class BulkConcurrencyMariaDbTest {
    private static final int USERS = 3_000;
    private TestDatabase db;
    private Enrollments enrollments;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 8);
        enrollments = Enrollments.builder().dataSource(db.dataSource()).batchSize(100).build();
        enrollments.migrate();
        BulkUsers.load(db, "conc", USERS);
    }

    @AfterEach
    void close() {
        enrollments.close();
        db.close();
    }

    @Test
    void enrollAllCountsAndWritesHistoryExactlyBesideConcurrentSingleEnrollments() throws Exception {
        CourseKey course = CourseKey.parse("course-v1:Conc+Bulk+2026");
        List<User> all = new ArrayList<>();
        BulkUsers.byId(enrollments, USERS).forEach(all::add);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Integer>> singles = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            boolean activate = t == 0;
            singles.add(pool.submit(() -> {
                int calls = 0;
                while (!stop.get()) {
                    User u = all.get(ThreadLocalRandom.current().nextInt(USERS));
                    if (activate) {
                        enrollments.enrollments().enroll(u, course, CourseMode.HONOR);
                    } else {
                        enrollments.enrollments().getOrCreate(u, course);
                    }
                    calls++;
                }
                return calls;
            }));
        }
        Thread.sleep(200);
        BulkResult bulk;
        try {
            bulk = pool.submit(() -> enrollments.enrollments().enrollAll(course, CourseMode.VERIFIED, all))
                    .get(120, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
        }
        int calls = 0;
        for (Future<Integer> f : singles) {
            calls += f.get(30, TimeUnit.SECONDS);   // rethrows any failure of a single call
        }
        pool.shutdown();

        assertThat(calls).as("the single calls ran beside the bulk one").isPositive();
        assertThat(bulk.created() + bulk.alreadyEnrolled() + bulk.reactivated()).isEqualTo(USERS);
        assertThat(db.count("student_courseenrollment")).isEqualTo(USERS);
        assertThat(db.queryLong("SELECT COUNT(*) FROM (SELECT user_id FROM student_courseenrollment "
                + "GROUP BY user_id, course_id HAVING COUNT(*) > 1) d")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '+'"))
                .as("one creation history row per enrollment").isEqualTo(USERS);
        assertThat(db.queryLong("SELECT COUNT(DISTINCT id) FROM student_courseenrollment_history "
                + "WHERE history_type = '+'")).isEqualTo(USERS);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '+' "
                + "AND mode = 'verified'")).as("the rows enrollAll says it created").isEqualTo(bulk.created());
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '~' "
                + "AND mode = 'verified'")).as("the rows enrollAll says it reactivated").isEqualTo(bulk.reactivated());
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e JOIN "
                + "student_courseenrollment_history h ON h.id = e.id AND h.history_type = '+' "
                + "WHERE h.created <> e.created OR h.user_id <> e.user_id OR h.course_id <> e.course_id"))
                .as("every creation row holds its enrollment's values").isZero();
    }
}
