package com.example.courses;

import dev.enrollment.testkit.EnrollmentsExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service on MariaDB, the database it runs on in production: a database per test, created on the server and
 * dropped afterwards. ENROLLMENT_TEST_MARIADB_URL, _USER and _PASSWORD point elsewhere. Skipped when the server is
 * unreachable, except on CI (CI=true), where that fails the test.
 */
class CourseSignupMariaDbTest extends CourseSignupContract {
    @RegisterExtension
    static EnrollmentsExtension db = EnrollmentsExtension.jdbcUrl(
                    env("ENROLLMENT_TEST_MARIADB_URL", "jdbc:mysql://127.0.0.1:3306/"),
                    env("ENROLLMENT_TEST_MARIADB_USER", "root"),
                    env("ENROLLMENT_TEST_MARIADB_PASSWORD", ""))
            .skipWhenUnreachable(!"true".equalsIgnoreCase(System.getenv("CI")));

    @Override
    EnrollmentsExtension db() {
        return db;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
