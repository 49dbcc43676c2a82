package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The operators' work on an adopted Open edX database (MariaDB): INT ids, utf8mb3 tables whose collation folds
 * case and accents, and the unique index on {@code auth_user.email}. adopt() baselines at version 1 and then runs
 * the later migrations, V4's seat table included.
 */
class AdoptedOpenEdxOperatorsMariaDbTest {
    private static final CourseKey DEMO = CourseKey.parse("course-v1:edX+DemoX+Demo_Course");

    private TestDatabase db;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 16);
        // Exactly as Open edX's migrations leave them (shared/openedx/mysql-schema.sql, read as it is).
        for (String statement : OpenEdxAdoptionMariaDbTest.openEdxDdl()) {
            db.execute(statement);
        }
        db.execute("INSERT INTO auth_user VALUES (1, 'pbkdf2$x', NULL, 0, 'learner', '', '', 'Learner@Example.com', 0, "
                + "1, '2020-01-02 00:00:00')");
        db.execute("INSERT INTO student_courseenrollment VALUES (1, '" + DEMO + "', '2020-02-01 00:00:00', 1, 'honor', 1)");
        // Open edX's own mixed-case allowance row.
        db.execute("INSERT INTO student_courseenrollmentallowed VALUES (1, 'Later@Example.com', '" + DEMO + "', 1, "
                + "'2020-02-01 00:00:00', NULL)");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void adoptCreatesTheSeatTableAndCapacityIsExactThere() throws Exception {
        try (Enrollments e = db.enrollments()) {
            e.adopt();
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1 AND version = '4'"))
                .isEqualTo(1);
        assertThat(db.count("enrollment_course_seat")).isZero();

        int threads = 24;
        int room = 6;   // the learner already holds one seat
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource())
                .capacity(c -> c.equals(DEMO) ? OptionalLong.of(room) : OptionalLong.empty()).build()) {
            List<User> users = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                users.add(e.users().save(User.unsaved("racer" + i, "racer" + i + "@example.com")));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Enrollment>> calls = new ArrayList<>();
                for (User u : users) {
                    calls.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return e.enrollments().enroll(u, DEMO, CourseMode.AUDIT);
                    }));
                }
                int seated = 0;
                for (Future<Enrollment> f : calls) {
                    try {
                        f.get(120, TimeUnit.SECONDS);
                        seated++;
                    } catch (ExecutionException ex) {
                        assertThat(ex.getCause()).isInstanceOf(CourseFullException.class);
                    }
                }
                assertThat(seated).isEqualTo(room - 1);
            } finally {
                pool.shutdownNow();
            }
            assertThat(e.enrollments().countsByMode(DEMO).values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(room);
        }
    }

    @Test
    void changeEmailToATakenEmailIsRefusedByTheUniqueIndexEvenWhereOnlyTheCollationSeesTheClash() {
        try (Enrollments e = db.enrollments()) {
            e.adopt();
            User learner = e.users().findByUsername("learner").orElseThrow();
            User other = e.users().save(User.unsaved("other", "other@example.com"));

            assertThat(catchThrowable(() -> e.users().changeEmail(other, "LEARNER@example.com")))
                    .isInstanceOf(UserAlreadyExistsException.class).hasMessageStartingWith("email ");
            // To the library these are two addresses; utf8mb3_general_ci's unique index folds the accent.
            assertThat(catchThrowable(() -> e.users().changeEmail(other, "l\u00e9arner@example.com")))
                    .isInstanceOf(UserAlreadyExistsException.class).hasMessageStartingWith("email ");
            assertThat(e.users().findById(other.id().getAsLong()).orElseThrow().email()).isEqualTo("other@example.com");

            // Open edX's mixed-case allowance row is used by the change, with its INT ids.
            User later = e.users().changeEmail(other, "later@example.com");
            assertThat(e.enrollments().isEnrolled(later, DEMO)).isTrue();
            assertThat(e.allowances().forEmail("LATER@example.com")).singleElement()
                    .satisfies(a -> assertThat(a.user()).contains(later));
            assertThat(e.allowances().revokeAll("later@EXAMPLE.com")).isEqualTo(1);

            assertThat(e.enrollments().unenrollAll(learner)).singleElement()
                    .satisfies(x -> assertThat(x.mode()).isEqualTo(CourseMode.HONOR));
            assertThat(e.enrollments().changeModeAll(DEMO, CourseMode.HONOR, CourseMode.VERIFIED)).isEqualTo(1);
            assertThat(e.enrollments().find(learner, DEMO).orElseThrow().mode()).isEqualTo(CourseMode.VERIFIED);
        }
    }
}
