package dev.enrollment.testkit;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The database servers the test kit's own tests use: MariaDB and PostgreSQL on 127.0.0.1 unless
 * ENROLLMENT_TEST_MARIADB_URL / ENROLLMENT_TEST_POSTGRES_URL (and _USER, _PASSWORD) say otherwise. Unreachable
 * servers skip the tests locally and fail them when CI=true.
 */
final class Servers {
    static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
    static final String MARIADB_URL = env("ENROLLMENT_TEST_MARIADB_URL", "jdbc:mysql://127.0.0.1:3306/");
    static final String MARIADB_USER = env("ENROLLMENT_TEST_MARIADB_USER", "root");
    static final String MARIADB_PASSWORD = env("ENROLLMENT_TEST_MARIADB_PASSWORD", "");
    static final String POSTGRES_URL = env("ENROLLMENT_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");
    static final String POSTGRES_USER = env("ENROLLMENT_TEST_POSTGRES_USER", "postgres");
    static final String POSTGRES_PASSWORD = env("ENROLLMENT_TEST_POSTGRES_PASSWORD", "");

    private Servers() {
    }

    static EnrollmentsExtension mariadb() {
        return EnrollmentsExtension.jdbcUrl(MARIADB_URL, MARIADB_USER, MARIADB_PASSWORD).skipWhenUnreachable(!CI);
    }

    static EnrollmentsExtension postgres() {
        return EnrollmentsExtension.jdbcUrl(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD).skipWhenUnreachable(!CI);
    }

    /** Skips the calling test locally, or fails it on CI, when MariaDB is unreachable. */
    static void requireMariaDb() {
        try (Connection c = mariadbAdmin()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Connection mariadbAdmin() {
        return connect(MARIADB_URL, MARIADB_USER, MARIADB_PASSWORD);
    }

    static Connection postgresAdmin() {
        return connect(POSTGRES_URL + "postgres", POSTGRES_USER, POSTGRES_PASSWORD);
    }

    /** Whether MariaDB has a database of that name: SHOW DATABASES LIKE, with LIKE's wildcards escaped. */
    static boolean mariadbHas(String name) {
        try (Connection c = mariadbAdmin(); PreparedStatement s = c.prepareStatement("SHOW DATABASES LIKE ?")) {
            s.setString(1, name.replace("_", "\\_"));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether PostgreSQL has a database of that name. */
    static boolean postgresHas(String name) {
        try (Connection c = postgresAdmin();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an in-memory H2 database of that name is open in this JVM. */
    static boolean h2Has(String name) {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + name + ";IFEXISTS=TRUE", "sa", "")) {
            return c.isValid(1);
        } catch (SQLException e) {
            if (e.getErrorCode() == 90146) {  // DATABASE_NOT_FOUND_WITH_IF_EXISTS_1
                return false;
            }
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect(String url, String user, String password) {
        try {
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            String message = url + " is not reachable: " + e.getMessage();
            if (CI) {
                throw new IllegalStateException(message + " (CI=true: database tests must run, not skip)", e);
            }
            Assumptions.abort(message + " (skipped outside CI)");
            throw new AssertionError("unreachable");
        }
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
