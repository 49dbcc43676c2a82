package dev.enrollment.testkit;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The extension on a PostgreSQL server: a database per test, created and dropped. */
class PostgresExtensionTest extends ExtensionContract {
    @RegisterExtension
    static EnrollmentsExtension db = Servers.postgres();

    @Override
    EnrollmentsExtension db() {
        return db;
    }

    @Override
    boolean serverHas(String database) {
        return Servers.postgresHas(database);
    }

    @Override
    Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, Servers.POSTGRES_USER, Servers.POSTGRES_PASSWORD);
    }
}
