package dev.enrollment;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * forCourse streams from the server: a course of 200,000 enrollments is counted in a JVM capped at -Xmx64m.
 * Runs only in the surefire execution "low-memory" (see enrollment-core/pom.xml), which sets that cap.
 */
@Tag("low-memory")
class LargeCourseStreamTest {
    private static final int ROWS = 200_000;
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Big+Course+2026");

    @ParameterizedTest
    @ValueSource(strings = {"MARIADB", "POSTGRES", "H2"})
    void forCourseCountsTwoHundredThousandEnrollmentsInSixtyFourMegabytes(String kind) throws SQLException {
        assertThat(Runtime.getRuntime().maxMemory()).as("this test must run with -Xmx64m")
                .isLessThanOrEqualTo(72L * 1024 * 1024);
        TestDatabase.Kind k = TestDatabase.Kind.valueOf(kind);
        try (TestDatabase db = k == TestDatabase.Kind.H2 ? TestDatabase.h2OnDisk() : TestDatabase.create(k, 4);
             Enrollments enrollments = db.migrated()) {
            load(db);

            AtomicLong count = new AtomicLong();
            AtomicLong idSum = new AtomicLong();
            try (Stream<Enrollment> all = enrollments.enrollments().forCourse(COURSE)) {
                all.forEach(e -> {
                    count.incrementAndGet();
                    idSum.addAndGet(e.id());
                    assertThat(e.user().username()).startsWith("big");
                });
            }

            assertThat(count.get()).isEqualTo(ROWS);
            assertThat(idSum.get()).isEqualTo(db.queryLong("SELECT SUM(id) FROM student_courseenrollment"));
            try (Stream<User> users = enrollments.enrollments().usersInCourse(COURSE, CourseFilter.active())) {
                assertThat(users.count()).isEqualTo(ROWS / 2);
            }
        }
    }

    /** Writes the rows behind the library's back, in batches, as fast as the driver allows. */
    private static void load(TestDatabase db) throws SQLException {
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement users = c.prepareStatement("INSERT INTO auth_user (id, password, is_superuser, "
                    + "username, first_name, last_name, email, is_staff, is_active, date_joined) "
                    + "VALUES (?, '!', FALSE, ?, '', '', '', FALSE, TRUE, ?)");
                 PreparedStatement rows = c.prepareStatement("INSERT INTO student_courseenrollment "
                         + "(course_id, created, is_active, mode, user_id) VALUES (?, ?, ?, 'audit', ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    users.setLong(1, i);
                    users.setString(2, "big" + i);
                    users.setTimestamp(3, now);
                    users.addBatch();
                    rows.setString(1, COURSE.toString());
                    rows.setTimestamp(2, now);
                    rows.setBoolean(3, i % 2 == 0);
                    rows.setLong(4, i);
                    rows.addBatch();
                    if (i % 2000 == 0) {
                        users.executeBatch();
                        rows.executeBatch();
                        c.commit();
                    }
                }
            }
            c.commit();
        }
    }
}
