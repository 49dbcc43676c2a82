package dev.enrollment.spring.boot;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentListener;
import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real InnoDB deadlock between two Spring transactions on MariaDB, each mixing the service's own statement and a
 * library call, on two threads: when the library call is the victim, its transaction, although
 * the service catches the exception and carries on, cannot commit; the other commits and its events fire after it.
 * The test creates its own database and drops it.
 */
class JoinedDeadlockMariaDbTest {
    private static final String SERVER = env("ENROLLMENT_TEST_MARIADB_URL", "jdbc:mysql://127.0.0.1:3306/");
    private static final String USER = env("ENROLLMENT_TEST_MARIADB_USER", "root");
    private static final String PASSWORD = env("ENROLLMENT_TEST_MARIADB_PASSWORD", "");
    private static final String OPTIONS = "?useSSL=false&allowPublicKeyRetrieval=true";
    private static final String DATABASE = "enr_boot_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final CourseKey COURSE = CourseKey.parse("course-v1:edX+Deadlock+2026");

    @BeforeAll
    static void createDatabase() {
        admin("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
    }

    @AfterAll
    static void dropDatabase() {
        admin("DROP DATABASE IF EXISTS " + DATABASE);
    }

    @Test
    void theVictimsTransactionCannotCommitThoughTheServiceCaughtTheFailure() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        JdbcTemplateAutoConfiguration.class, EnrollmentAutoConfiguration.class))
                .withUserConfiguration(Recording.class)
                .withPropertyValues("spring.datasource.url=" + SERVER + DATABASE + OPTIONS,
                        "spring.datasource.username=" + USER, "spring.datasource.password=" + PASSWORD)
                .run(context -> {
                    Enrollments enrollments = context.getBean(Enrollments.class);
                    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                    TransactionTemplate tx = context.getBean(TransactionTemplate.class);
                    List<EnrollmentEvent> events = context.getBean(Recording.class).events;
                    jdbc.execute("CREATE TABLE account (id BIGINT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB");
                    jdbc.update("INSERT INTO account (id, balance) VALUES (1, 0)");
                    User u = enrollments.users().save(User.unsaved("lock", "lock@example.com"));
                    enrollments.enrollments().enroll(u, COURSE, CourseMode.AUDIT);
                    events.clear();

                    CountDownLatch aHoldsAccount = new CountDownLatch(1);
                    CountDownLatch bHoldsEnrollment = new CountDownLatch(1);
                    ExecutorService pool = Executors.newFixedThreadPool(2);
                    try {
                        // A: the service's row first (one row locked, the lighter transaction: InnoDB's victim)
                        Future<String> a = pool.submit(() -> outcome(() -> tx.executeWithoutResult(s -> {
                            jdbc.update("UPDATE account SET balance = balance + 1 WHERE id = 1");
                            aHoldsAccount.countDown();
                            await(bHoldsEnrollment);
                            try {
                                enrollments.enrollments().changeMode(u, COURSE, CourseMode.HONOR);
                            } catch (DatabaseException caught) {
                                // the service swallows it and carries on
                            }
                        })));
                        // B: the library's rows first (enrollment and history), then the service's row
                        Future<String> b = pool.submit(() -> outcome(() -> tx.executeWithoutResult(s -> {
                            enrollments.enrollments().changeMode(u, COURSE, CourseMode.VERIFIED);
                            bHoldsEnrollment.countDown();
                            await(aHoldsAccount);
                            jdbc.update("UPDATE account SET balance = balance + 10 WHERE id = 1");
                        })));
                        String outcomeA = a.get(60, TimeUnit.SECONDS);
                        String outcomeB = b.get(60, TimeUnit.SECONDS);
                        assertThat(outcomeA).as("A cannot commit after its library call was the victim")
                                .startsWith("DatabaseException").contains("rolled back");
                        assertThat(outcomeB).isEqualTo("committed");
                    } finally {
                        pool.shutdownNow();
                    }
                    assertThat(jdbc.queryForObject("SELECT balance FROM account WHERE id = 1", Integer.class))
                            .as("only B's change").isEqualTo(10);
                    assertThat(enrollments.enrollments().find(u, COURSE).orElseThrow().mode())
                            .isEqualTo(CourseMode.VERIFIED);
                    assertThat(events).extracting(e -> e.after().orElseThrow().mode())
                            .as("B's event, after its commit; none of A's").containsExactly(CourseMode.VERIFIED);
                });
    }

    private static String outcome(Runnable transaction) {
        try {
            transaction.run();
            return "committed";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other transaction never got its lock");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Recording {
        final List<EnrollmentEvent> events = Collections.synchronizedList(new ArrayList<>());

        @Bean
        EnrollmentListener recorder() {
            return events::add;
        }
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + OPTIONS, USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);   // a name of the test's own making
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
