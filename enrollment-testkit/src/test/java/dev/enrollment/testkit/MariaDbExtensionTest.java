package dev.enrollment.testkit;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The extension on a MariaDB server: a database per test, created and dropped. */
class MariaDbExtensionTest extends ExtensionContract {
    @RegisterExtension
    static EnrollmentsExtension db = Servers.mariadb();

    @Override
    EnrollmentsExtension db() {
        return db;
    }

    @Override
    boolean serverHas(String database) {
        return Servers.mariadbHas(database);
    }

    @Override
    Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, Servers.MARIADB_USER, Servers.MARIADB_PASSWORD);
    }
}
