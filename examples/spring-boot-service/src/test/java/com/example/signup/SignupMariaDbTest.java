package com.example.signup;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The service on MariaDB, the database it runs on in production: the test creates a database of its own on the
 * server and drops it afterwards. ENROLLMENT_TEST_MARIADB_URL, _USER and _PASSWORD point elsewhere. Skipped when
 * the server is unreachable, except on CI (CI=true), where that fails the test.
 */
class SignupMariaDbTest extends SignupContract {
    private static final String SERVER = env("ENROLLMENT_TEST_MARIADB_URL", "jdbc:mysql://127.0.0.1:3306/");
    private static final String USER = env("ENROLLMENT_TEST_MARIADB_USER", "root");
    private static final String PASSWORD = env("ENROLLMENT_TEST_MARIADB_PASSWORD", "");
    private static final String OPTIONS = "?useSSL=false&allowPublicKeyRetrieval=true";
    private static final String DATABASE = "signup_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @DynamicPropertySource
    static void mariaDb(DynamicPropertyRegistry registry) {
        admin("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
        registry.add("spring.datasource.url", () -> SERVER + DATABASE + OPTIONS);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
    }

    @AfterAll
    static void dropDatabase() {
        admin("DROP DATABASE IF EXISTS " + DATABASE);
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + OPTIONS, USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);   // a name of the test's own making, never input
        } catch (SQLException e) {
            String message = "MariaDB is not reachable at " + SERVER + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message + " (CI=true: database tests must run, not skip)", e);
            }
            Assumptions.abort(message + " (skipped outside CI)");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
