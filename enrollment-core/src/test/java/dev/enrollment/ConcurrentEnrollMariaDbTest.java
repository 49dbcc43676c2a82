package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Concurrent enroll calls with different modes for one (user, course), with real threads on MariaDB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrentEnrollMariaDbTest {
    private static final int ROUNDS = 20;

    private TestDatabase db;
    private Enrollments enrollments;
    private final RecordingListener events = new RecordingListener();
    private ExecutorService pool;

    @BeforeAll
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 12);
        enrollments = Enrollments.builder().dataSource(db.dataSource()).listener(events).build();
        enrollments.migrate();
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        enrollments.close();
        db.close();
    }

    @Test
    void twoConcurrentEnrollsWithDifferentModesEndInOneConsistentRowWithOrderedHistory() throws Exception {
        race(new CourseMode[] {CourseMode.VERIFIED, CourseMode.HONOR});
    }

    @Test
    void eightConcurrentEnrollsCycleThroughModesWithoutErrorsOrDuplicates() throws Exception {
        race(new CourseMode[] {CourseMode.VERIFIED, CourseMode.HONOR, CourseMode.AUDIT, CourseMode.PROFESSIONAL,
                CourseMode.VERIFIED, CourseMode.HONOR, CourseMode.AUDIT, CourseMode.PROFESSIONAL});
    }

    private void race(CourseMode[] modes) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            User user = enrollments.users().save(User.unsaved("c" + modes.length + "_" + round, ""));
            CourseKey course = CourseKey.parse("course-v1:Race+Enroll+R" + modes.length + "_" + round);
            events.take();
            CyclicBarrier start = new CyclicBarrier(modes.length);
            List<Future<Enrollment>> calls = new ArrayList<>();
            for (CourseMode mode : modes) {
                calls.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return enrollments.enrollments().enroll(user, course, mode);
                }));
            }
            List<Enrollment> results = new ArrayList<>();
            for (Future<Enrollment> f : calls) {
                results.add(f.get(60, TimeUnit.SECONDS));   // throws if any call failed
            }

            assertThat(results.stream().map(Enrollment::id).distinct()).hasSize(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + course + "'"))
                    .isEqualTo(1);
            Enrollment row = enrollments.enrollments().find(user, course).orElseThrow();
            assertThat(row.isActive()).isTrue();

            // History tells the story in commit order: one '+', then one '~' per real change, each a different mode
            // from the one before, ending in the row's state. One event per history row: listeners run on each
            // caller's thread after its own commit, so across threads they may arrive in another order; each
            // event's before is the state some other event (or none, for CREATED) left.
            List<String[]> history = history(row.id());
            assertThat(history).isNotEmpty();
            assertThat(history.get(0)[0]).isEqualTo("+");
            for (int i = 1; i < history.size(); i++) {
                assertThat(history.get(i)[0]).isEqualTo("~");
                assertThat(history.get(i)[1]).as("each change changes the mode").isNotEqualTo(history.get(i - 1)[1]);
            }
            assertThat(history.get(history.size() - 1)[1]).isEqualTo(row.mode().slug());
            List<EnrollmentEvent> heard = events.take();
            assertThat(heard).hasSize(history.size());
            assertThat(heard.stream().map(e -> e.after().orElseThrow().mode().slug()).collect(Collectors.toList()))
                    .containsExactlyInAnyOrderElementsOf(history.stream().map(h -> h[1]).collect(Collectors.toList()));
            assertThat(heard).filteredOn(e -> e.type() == EnrollmentEvent.Type.CREATED).hasSize(1);
            for (int i = 1; i < history.size(); i++) {
                String before = history.get(i - 1)[1];
                String after = history.get(i)[1];
                assertThat(heard).as("an event for change %d: %s -> %s", i, before, after).anySatisfy(e -> {
                    assertThat(e.type()).isEqualTo(EnrollmentEvent.Type.MODE_CHANGED);
                    assertThat(e.before().orElseThrow().mode().slug()).isEqualTo(before);
                    assertThat(e.after().orElseThrow().mode().slug()).isEqualTo(after);
                });
            }
        }
    }

    private List<String[]> history(long id) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT history_type, mode, is_active "
                     + "FROM student_courseenrollment_history WHERE id = ? ORDER BY history_id")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getBoolean(3)).isTrue();
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        return rows;
    }
}
