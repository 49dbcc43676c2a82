package dev.enrollment.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A test that leaves a connection borrowed fails, and its database is dropped anyway. */
class LeakCheckTest {
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    @SuppressWarnings("resource")
    static void leakOne(EnrollmentsExtension db) throws SQLException {
        Connection c = db.dataSource().getConnection();  // never closed: the leak
        c.createStatement().execute("SELECT COUNT(*) FROM auth_user");
    }

    static class LeaksOnMariaDb {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.mariadb();

        @Test
        void leaks() throws SQLException {
            SEEN.put("LeaksOnMariaDb", db.databaseName());
            leakOne(db);
        }
    }

    static class LeaksOnH2 {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @Test
        void leaks() throws SQLException {
            SEEN.put("LeaksOnH2", db.databaseName());
            leakOne(db);
        }
    }

    static class ClosesItsConnections {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @Test
        void closes() throws SQLException {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT COUNT(*) FROM auth_user");
            }
        }
    }

    static class LeaksWithTheCheckOff {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2().checkConnectionLeaks(false);

        @Test
        void leaks() throws SQLException {
            SEEN.put("LeaksWithTheCheckOff", db.databaseName());
            leakOne(db);
        }
    }

    @Test
    void aLeakingTestFailsOnMariaDbAndItsDatabaseIsDropped() {
        Servers.requireMariaDb();

        Throwable failure = Inner.onlyFailure(Inner.run(LeaksOnMariaDb.class));

        assertThat(failure).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("connection leak").hasMessageContaining("left 1 connection(s) borrowed");
        assertThat(Servers.mariadbHas(SEEN.get("LeaksOnMariaDb"))).isFalse();
    }

    @Test
    void aLeakingTestFailsOnH2AndItsDatabaseIsDropped() {
        Throwable failure = Inner.onlyFailure(Inner.run(LeaksOnH2.class));

        assertThat(failure).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("connection leak").hasMessageContaining("left 1 connection(s) borrowed");
        assertThat(Servers.h2Has(SEEN.get("LeaksOnH2"))).isFalse();
    }

    @Test
    void aTestThatClosesItsConnectionsPasses() {
        Inner.assertPassed(Inner.run(ClosesItsConnections.class), 1);
    }

    @Test
    void theCheckCanBeTurnedOffAndTheDatabaseIsStillDropped() {
        Inner.assertPassed(Inner.run(LeaksWithTheCheckOff.class), 1);
        assertThat(Servers.h2Has(SEEN.get("LeaksWithTheCheckOff"))).isFalse();
    }
}
