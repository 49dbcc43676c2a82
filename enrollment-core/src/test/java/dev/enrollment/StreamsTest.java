package dev.enrollment;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Streams release their cursor and connection even when their caller does not close them; on H2. */
class StreamsTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Str+Eam+1");
    private TestDatabase db;
    private Enrollments enrollments;

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.H2, 2);
        enrollments = Enrollments.builder().dataSource(db.dataSource()).build();
        enrollments.migrate();
        for (int i = 0; i < 5; i++) {
            enrollments.enrollments().enroll(User.unsaved("s" + i, ""), COURSE, CourseMode.AUDIT);
        }
    }

    @AfterEach
    void close() {
        enrollments.close();
        db.close();
    }

    private int active() {
        return ((HikariDataSource) db.dataSource()).getHikariPoolMXBean().getActiveConnections();
    }

    @Test
    void aFailureWhileConsumingReleasesTheConnectionAtOnce() {
        Stream<Enrollment> unclosed = enrollments.enrollments().forCourse(COURSE);
        assertThatThrownBy(() -> unclosed.forEach(e -> {
            throw new IllegalStateException("the caller's action fails");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(active()).isZero();
    }

    @Test
    void anAbandonedStreamIsClosedWhenCollectedAndTheCallSiteIsLogged() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            abandon();
            assertThat(active()).isEqualTo(1);
            for (int i = 0; i < 100 && active() > 0; i++) {
                System.gc();
                Thread.sleep(50);
            }
        } finally {
            System.setErr(err);
        }
        assertThat(active()).as("connections still held by the abandoned stream").isZero();
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("forCourse stream was never closed").contains("StreamsTest.abandon");
        // the pool serves again: both connections are free
        assertThat(enrollments.enrollments().countsByMode(COURSE)).containsEntry(CourseMode.AUDIT, 5L);
    }

    private void abandon() {
        Iterator<Enrollment> it = enrollments.enrollments().forCourse(COURSE).iterator();
        assertThat(it.next().courseKey()).isEqualTo(COURSE);   // read one row, then forget the stream unclosed
    }

    @Test
    void aStreamClosedByItsCallerIsNotReportedAsLeaked() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            try (Stream<Enrollment> s = enrollments.enrollments().forCourse(COURSE)) {
                assertThat(s.count()).isEqualTo(5);
            }
            enrollments.enrollments().forCourse(COURSE).forEach(e -> { });   // exhausted, never closed
            for (int i = 0; i < 10; i++) {
                System.gc();
                Thread.sleep(20);
            }
        } finally {
            System.setErr(err);
        }
        assertThat(active()).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("never closed");
    }
}
