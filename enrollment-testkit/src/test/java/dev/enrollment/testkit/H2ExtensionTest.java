package dev.enrollment.testkit;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The extension on embedded H2. */
class H2ExtensionTest extends ExtensionContract {
    @RegisterExtension
    static EnrollmentsExtension db = EnrollmentsExtension.h2();

    @Override
    EnrollmentsExtension db() {
        return db;
    }

    @Override
    boolean serverHas(String database) {
        return Servers.h2Has(database);
    }

    @Override
    Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "sa", "");
    }
}
