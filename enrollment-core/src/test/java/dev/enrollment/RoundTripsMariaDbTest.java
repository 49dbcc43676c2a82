package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips on the wire, counted by the driver (transaction control included): the existing-row path of
 * getOrCreate and enroll is one statement; the new-row path is the read, then one transaction of
 * START TRANSACTION, insert, history, COMMIT: five, two of them transaction control (it was six, three).
 */
class RoundTripsMariaDbTest {
    private TestDatabase db;
    private HikariDataSource pool;
    private Enrollments enrollments;

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 2);
        db.migrated().close();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url() + "&queryInterceptors=" + WireCounter.class.getName());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        pool = new HikariDataSource(config);
        enrollments = Enrollments.builder().dataSource(pool).build();
    }

    @AfterEach
    void close() {
        enrollments.close();
        pool.close();
        db.close();
    }

    private static <T> List<String> sent(Supplier<T> call) {
        WireCounter.start();
        try {
            call.get();
        } finally {
            return WireCounter.stop();
        }
    }

    private static long control(List<String> sent) {
        return sent.stream().map(String::toLowerCase)
                .filter(s -> s.contains("autocommit") || s.startsWith("commit") || s.startsWith("rollback")
                        || s.startsWith("start transaction") || s.startsWith("begin"))
                .count();
    }

    @Test
    void theNewRowPathTakesFiveRoundTripsTwoOfThemTransactionControlAndTheExistingRowPathOne() {
        User alice = enrollments.users().save(User.unsaved("alice", ""));
        CourseKey demo = CourseKey.parse("course-v1:Trip+Demo+2026");
        CourseKey other = CourseKey.parse("course-v1:Trip+Other+2026");
        enrollments.enrollments().getOrCreate(alice, CourseKey.parse("course-v1:Trip+Warm+2026"));   // warm the pool

        List<String> created = sent(() -> enrollments.enrollments().getOrCreate(alice, demo));
        assertThat(created).as(String.join("\n", created)).hasSize(5);
        assertThat(control(created)).isEqualTo(2);
        assertThat(sent(() -> enrollments.enrollments().getOrCreate(alice, demo))).hasSize(1);

        List<String> enrolled = sent(() -> enrollments.enrollments().enroll(alice, other, CourseMode.VERIFIED));
        assertThat(enrolled).as(String.join("\n", enrolled)).hasSize(5);
        assertThat(control(enrolled)).isEqualTo(2);
        assertThat(sent(() -> enrollments.enrollments().enroll(alice, other, CourseMode.VERIFIED))).hasSize(1);

        // The connections went back to the pool in autocommit mode, with nothing left open.
        assertThat(enrollments.enrollments().find(alice, demo)).isPresent();
        assertThat(db.count("student_courseenrollment")).isEqualTo(3);
        assertThat(db.count("student_courseenrollment_history")).isEqualTo(3);
    }

    @Test
    void aFailedTransactionRollsBackAndLeavesTheConnectionClean() {
        User bob = enrollments.users().save(User.unsaved("bob", ""));
        db.execute("CREATE UNIQUE INDEX one_mode_per_course ON student_courseenrollment (course_id, mode)");
        List<User> two = List.of(bob, enrollments.users().save(User.unsaved("carol", "")));
        CourseKey c = CourseKey.parse("course-v1:Trip+Fail+2026");

        List<String> failed = sent(() -> {
            try {
                return enrollments.enrollments().enrollAll(c, CourseMode.AUDIT, two);
            } catch (DatabaseException expected) {
                return null;
            }
        });

        assertThat(failed.stream().map(String::toLowerCase)).contains("rollback");
        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(enrollments.enrollments().find(bob, c)).isEmpty();
        assertThat(enrollments.enrollments().getOrCreate(bob, CourseKey.parse("course-v1:Trip+After+2026")))
                .isNotNull();
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
    }
}
