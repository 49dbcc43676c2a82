package dev.enrollment.testkit;

import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two test classes running at the same time get separate databases: each writes a marker row, waits until the
 * other has written its own (a barrier both must reach, so they provably overlap), then sees only its own marker.
 */
class ParallelIsolationTest {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static volatile CyclicBarrier barrier;

    static final Map<String, String> PARALLEL = Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "same_thread",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "2");

    static void writeMarkerWaitAndLook(EnrollmentsExtension db, Enrollments enrollments, String marker)
            throws Exception {
        enrollments.users().save(User.unsaved(marker, marker + "@example.com"));
        SEEN.put(marker, db.databaseName());

        barrier.await(60, TimeUnit.SECONDS);  // the other class has written its marker too

        assertThat(usernames(db)).containsExactly(marker);
    }

    static List<String> usernames(EnrollmentsExtension db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT username FROM auth_user")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static class H2WriterA {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @Test
        void writes(Enrollments enrollments) throws Exception {
            writeMarkerWaitAndLook(db, enrollments, "h2_writer_a");
        }
    }

    static class H2WriterB {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @Test
        void writes(Enrollments enrollments) throws Exception {
            writeMarkerWaitAndLook(db, enrollments, "h2_writer_b");
        }
    }

    static class MariaDbWriterA {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.mariadb();

        @Test
        void writes(Enrollments enrollments) throws Exception {
            writeMarkerWaitAndLook(db, enrollments, "mariadb_writer_a");
        }
    }

    static class MariaDbWriterB {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.mariadb();

        @Test
        void writes(Enrollments enrollments) throws Exception {
            writeMarkerWaitAndLook(db, enrollments, "mariadb_writer_b");
        }
    }

    @Test
    void parallelClassesOnH2SeeOnlyTheirOwnRows() {
        barrier = new CyclicBarrier(2);

        EngineExecutionResults results = Inner.run(PARALLEL, H2WriterA.class, H2WriterB.class);

        Inner.assertPassed(results, 2);
        assertThat(SEEN.get("h2_writer_a")).isNotEqualTo(SEEN.get("h2_writer_b"));
        assertThat(Servers.h2Has(SEEN.get("h2_writer_a"))).isFalse();
        assertThat(Servers.h2Has(SEEN.get("h2_writer_b"))).isFalse();
    }

    @Test
    void parallelClassesOnMariaDbSeeOnlyTheirOwnRows() {
        Servers.requireMariaDb();
        barrier = new CyclicBarrier(2);

        EngineExecutionResults results = Inner.run(PARALLEL, MariaDbWriterA.class, MariaDbWriterB.class);

        Inner.assertPassed(results, 2);
        assertThat(SEEN.get("mariadb_writer_a")).isNotEqualTo(SEEN.get("mariadb_writer_b"));
        assertThat(Servers.mariadbHas(SEEN.get("mariadb_writer_a"))).isFalse();
        assertThat(Servers.mariadbHas(SEEN.get("mariadb_writer_b"))).isFalse();
    }
}
