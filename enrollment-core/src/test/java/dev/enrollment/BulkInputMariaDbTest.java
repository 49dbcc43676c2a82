package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** enrollAll checks its input before writing, and writes each batch in user id order; on MariaDB. */
class BulkInputMariaDbTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Bulk+In+1");
    private TestDatabase db;
    private final RecordingListener events = new RecordingListener();

    @BeforeEach
    void open() throws Exception {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 6);
        try (Enrollments e = db.migrated()) {
            BulkUsers.load(db, "bulk", 3000);
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    private List<User> all(Enrollments e) {
        List<User> users = new ArrayList<>();
        BulkUsers.byId(e, 3000).forEach(users::add);
        return users;
    }

    @Test
    void aCollectionWithABadElementPastTheFirstBatchWritesNothing() {
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource()).listener(events).build()) {
            List<User> users = all(e);
            List<User> withUnsaved = new ArrayList<>(users.subList(0, 1200));
            withUnsaved.add(User.unsaved("late", ""));
            List<User> withNull = new ArrayList<>(users.subList(0, 1200));
            withNull.add(null);
            assertThatThrownBy(() -> e.enrollments().enrollAll(COURSE, CourseMode.AUDIT, withUnsaved))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("saved");
            assertThatThrownBy(() -> e.enrollments().enrollAll(COURSE, CourseMode.AUDIT, withNull))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("null");
            assertThat(db.count("student_courseenrollment")).isZero();
            assertThat(events.take()).isEmpty();

            // a lazy input is checked a batch at a time: the first batch is written, the one holding it is not
            Iterable<User> lazy = () -> withUnsaved.iterator();
            assertThatThrownBy(() -> e.enrollments().enrollAll(COURSE, CourseMode.AUDIT, lazy))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(db.count("student_courseenrollment")).isEqualTo(Enrollments.DEFAULT_BATCH_SIZE);
        }
    }

    /** Two runs over the same users in opposite orders, with no retry: unsorted batches would deadlock. */
    @Test
    void overlappingBulkRunsInOppositeOrdersDoNotDeadlock() throws Exception {
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource()).retryAttempts(1).build()) {
            List<User> up = all(e);
            List<User> down = new ArrayList<>(up);
            Collections.reverse(down);
            for (int round = 0; round < 3; round++) {
                CourseKey course = CourseKey.parse("course-v1:Bulk+Order+" + round);
                CompletableFuture<BulkResult> a = CompletableFuture.supplyAsync(
                        () -> e.enrollments().enrollAll(course, CourseMode.AUDIT, up));
                CompletableFuture<BulkResult> b = CompletableFuture.supplyAsync(
                        () -> e.enrollments().enrollAll(course, CourseMode.AUDIT, down));
                BulkResult ra = a.get(120, TimeUnit.SECONDS);
                BulkResult rb = b.get(120, TimeUnit.SECONDS);
                assertThat(ra.created() + rb.created()).isEqualTo(3000);
                assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '"
                        + course + "'")).isEqualTo(3000);
            }
        }
    }
}
