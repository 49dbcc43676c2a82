package dev.enrollment.spring.boot;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentListener;
import dev.enrollment.Enrollments;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.NotFoundException;
import dev.enrollment.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The auto-configuration on H2, in Boot's own style: an {@link ApplicationContextRunner} per case. */
class EnrollmentAutoConfigurationTests {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:edX+Boot+2026");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class, EnrollmentAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

    @Test
    void anEnrollmentsBeanOnTheApplicationsDataSourceMigratedAtStartUp() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Enrollments.class).hasSingleBean(SpringExternalTransactions.class);
            Enrollments enrollments = context.getBean(Enrollments.class);
            assertThat(enrollments.schemaStatus().isCurrent()).isTrue();
            enrollments.users().save(User.unsaved("ann", "ann@example.com"));
            assertThat(count(context, "auth_user")).as("the same database as the application's").isEqualTo(1);
        });
    }

    @Test
    void migrateFalseChangesNoSchema() {
        runner.withPropertyValues("enrollment.migrate=false").run(context -> {
            assertThat(context.getBean(Enrollments.class).schemaStatus().installedVersion()).isEmpty();
        });
    }

    @Test
    void badPropertiesFailTheStartUpNamingTheOption() {
        runner.withPropertyValues("enrollment.batch-size=0").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("batchSize"));
    }

    @Test
    void aServicesOwnBeansWin() {
        runner.withUserConfiguration(OwnEnrollments.class).run(context -> {
            assertThat(context).hasSingleBean(Enrollments.class);
            assertThat(context.getBean(Enrollments.class)).isSameAs(context.getBean(OwnEnrollments.class).own);
            assertThat(context.getBean(ExternalTransactions.class)).isSameAs(OwnEnrollments.HOOK);
            assertThat(context.getBean(Enrollments.class).schemaStatus().installedVersion())
                    .as("a service's own bean is its own to migrate").isEmpty();
        });
    }

    @Test
    void aCourseCapacityBeanIsTheCapacity() {
        runner.withBean(dev.enrollment.CourseCapacity.class, () -> course -> java.util.OptionalLong.of(1))
                .run(context -> {
                    Enrollments enrollments = context.getBean(Enrollments.class);
                    enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("first", "")), COURSE,
                            CourseMode.AUDIT);
                    User second = enrollments.users().save(User.unsaved("second", ""));
                    org.assertj.core.api.Assertions.assertThatThrownBy(
                                    () -> enrollments.enrollments().enroll(second, COURSE, CourseMode.AUDIT))
                            .isInstanceOf(dev.enrollment.CourseFullException.class);
                });
    }

    @Test
    void listenerBeansAreRegisteredInTheirOrder() {
        runner.withUserConfiguration(OrderedListeners.class).run(context -> {
            Enrollments enrollments = context.getBean(Enrollments.class);
            enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("bob", "bob@example.com")),
                    COURSE, CourseMode.AUDIT);
            assertThat(context.getBean(OrderedListeners.class).heard).containsExactly("first", "second");
        });
    }

    @Test
    void aRolledBackServiceTransactionLeavesNoLibraryRowAndFiresNoEvent() {
        runner.withUserConfiguration(Recording.class).run(context -> {
            Enrollments enrollments = context.getBean(Enrollments.class);
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            jdbc.execute("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(150))");
            TransactionTemplate tx = context.getBean(TransactionTemplate.class);
            assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO orders (username) VALUES (?)", "cat");
                User cat = enrollments.users().save(User.unsaved("cat", "cat@example.com"));
                enrollments.enrollments().enroll(cat, COURSE, CourseMode.VERIFIED);
                enrollments.transaction(t -> t.enrollments().changeMode(cat, COURSE, CourseMode.HONOR));
                throw new IllegalStateException("payment declined");
            })).hasMessage("payment declined");
            assertThat(count(context, "orders")).isZero();
            assertThat(count(context, "auth_user")).isZero();
            assertThat(count(context, "student_courseenrollment")).isZero();
            assertThat(context.getBean(Recording.class).events).isEmpty();
        });
    }

    @Test
    void aCommittedServiceTransactionFiresEventsOnlyAfterItsCommit() {
        runner.withUserConfiguration(Recording.class).run(context -> {
            Enrollments enrollments = context.getBean(Enrollments.class);
            List<EnrollmentEvent> heard = context.getBean(Recording.class).events;
            TransactionTemplate tx = context.getBean(TransactionTemplate.class);
            tx.executeWithoutResult(status -> {
                User dan = enrollments.users().save(User.unsaved("dan", "dan@example.com"));
                enrollments.enrollments().enroll(dan, COURSE, CourseMode.VERIFIED);
                assertThat(enrollments.enrollments().isEnrolled(dan, COURSE)).as("reads join too").isTrue();
                assertThat(heard).as("nothing heard before the commit").isEmpty();
                assertThat(countOutside(context, "student_courseenrollment")).as("not committed yet").isZero();
            });
            assertThat(heard).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);
            assertThat(count(context, "student_courseenrollment")).isEqualTo(1);
        });
    }

    @Test
    void aDeadlockTheServiceCaughtStillRollsItsTransactionBackAndCommitThrowsTheLibrarysException() {
        runner.withUserConfiguration(Recording.class, Failing.class).run(context -> {
            Enrollments enrollments = context.getBean(Enrollments.class);
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            jdbc.execute("CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, username VARCHAR(150))");
            User gus = enrollments.users().save(User.unsaved("gus", "gus@example.com"));
            context.getBean(Recording.class).events.clear();
            TransactionTemplate tx = context.getBean(TransactionTemplate.class);
            int[] attempts = new int[1];
            assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                jdbc.update("INSERT INTO orders (username) VALUES (?)", "gus");
                enrollments.enrollments().enroll(gus, COURSE, CourseMode.AUDIT);
                Failing.FAIL_NEXT.set(true);
                int before = Failing.PREPARED.get();
                try {
                    enrollments.enrollments().enroll(gus, CourseKey.parse("course-v1:edX+Other+2026"),
                            CourseMode.AUDIT);
                } catch (DatabaseException caught) {
                    // the service carries on, as if nothing happened
                }
                attempts[0] = Failing.PREPARED.get() - before;
            })).isInstanceOf(DatabaseException.class).hasMessageContaining("rolled back");
            assertThat(attempts[0]).as("one attempt: no retry inside the service's transaction").isEqualTo(1);
            assertThat(count(context, "orders")).isZero();
            assertThat(count(context, "student_courseenrollment")).isZero();
            assertThat(context.getBean(Recording.class).events).isEmpty();
        });
    }

    @Test
    void outsideASpringTransactionEachCallCommitsAtOnce() {
        runner.withUserConfiguration(Recording.class).run(context -> {
            Enrollments enrollments = context.getBean(Enrollments.class);
            enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("eve", "eve@example.com")),
                    COURSE, CourseMode.AUDIT);
            assertThat(context.getBean(Recording.class).events).hasSize(1);
            assertThat(countOutside(context, "student_courseenrollment")).isEqualTo(1);
        });
    }

    @Test
    void timersOfEveryCallAppearInTheMeterRegistryOncePerTagSet() {
        runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
                MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class)).run(context -> {
            assertThat(context).hasSingleBean(MicrometerOperationObserver.class);
            Enrollments enrollments = context.getBean(Enrollments.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            User fay = enrollments.users().save(User.unsaved("fay", "fay@example.com"));
            enrollments.enrollments().enroll(fay, COURSE, CourseMode.AUDIT);
            assertThatThrownBy(() -> enrollments.enrollments().unenroll(fay, CourseKey.parse("course-v1:a+b+c")))
                    .isInstanceOf(NotFoundException.class);
            int meterCount = meters.getMeters().size();
            for (int i = 0; i < 5; i++) {
                enrollments.enrollments().enroll(fay, COURSE, CourseMode.AUDIT);
            }
            Timer enroll = meters.get("enrollment.operation").tags("operation", "enroll", "outcome", "success")
                    .timer();
            assertThat(enroll.count()).isEqualTo(6);
            assertThat(meters.get("enrollment.operation").tags("operation", "unenroll", "outcome",
                    "NotFoundException").timer().count()).isEqualTo(1);
            assertThat(meters.get("enrollment.operation").tags("operation", "save").timer().count()).isEqualTo(1);
            assertThat(meters.getMeters()).as("no meter per call").hasSize(meterCount);
        });
    }

    @Test
    void noObservationRegistryNoObserver() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerOperationObserver.class));
    }

    @Test
    void healthIsUpWhenTheSchemaIsCurrentAndDownWithTheReasonWhenItIsNot() {
        runner.run(context -> {
            Health health = context.getBean("enrollmentHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
        });
        runner.withPropertyValues("enrollment.migrate=false",
                "spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1").run(context -> {
            Health health = context.getBean("enrollmentHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(String.valueOf(health.getDetails().get("reason"))).contains("not migrated")
                    .contains("migrate()");
        });
        runner.withPropertyValues("management.health.enrollment.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("enrollmentHealthIndicator"));
    }

    @Test
    void healthIsDownWhenTheDatabaseDoesNotAnswer() {
        runner.run(context -> {
            context.getBean(JdbcTemplate.class).execute("SHUTDOWN");
            Health health = context.getBean("enrollmentHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void theLibrarysMigrationRunsAfterTheApplicationsFlywayMigrations() {
        runner.withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
                .withUserConfiguration(StartUpOrder.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StartUpOrder.class).steps).containsExactly("flyway", "enrollments");
                    assertThat(count(context, "orders")).isZero();   // the application's V1 ran
                    assertThat(context.getBean(Enrollments.class).schemaStatus().isCurrent()).isTrue();
                });
    }

    private static long count(AssertableApplicationContext context, String table) {
        return context.getBean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
    }

    /** Counts on a connection of its own, outside whatever transaction the thread is in. */
    private static long countOutside(AssertableApplicationContext context, String table) {
        try (var c = context.getBean(DataSource.class).getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEnrollments {
        static final ExternalTransactions HOOK = () -> null;
        Enrollments own;

        @Bean
        Enrollments ownEnrollments(DataSource dataSource) {
            own = Enrollments.builder().dataSource(dataSource).build();
            return own;
        }

        @Bean
        ExternalTransactions ownHook() {
            return HOOK;
        }
    }

    /** The application's data source fails its next statement as a deadlock victim when asked. */
    @Configuration(proxyBeanMethods = false)
    static class Failing {
        static final java.util.concurrent.atomic.AtomicBoolean FAIL_NEXT = new java.util.concurrent.atomic.AtomicBoolean();
        static final java.util.concurrent.atomic.AtomicInteger PREPARED = new java.util.concurrent.atomic.AtomicInteger();

        @Bean
        DataSource dataSource() {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return new org.springframework.jdbc.datasource.DelegatingDataSource(h2) {
                @Override
                public java.sql.Connection getConnection() throws java.sql.SQLException {
                    java.sql.Connection c = super.getConnection();
                    return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                            getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class},
                            (proxy, method, args) -> {
                                if (method.getName().startsWith("prepare")) {
                                    PREPARED.incrementAndGet();
                                    if (FAIL_NEXT.compareAndSet(true, false)) {
                                        throw new java.sql.SQLException("Deadlock found", "40001", 1213);
                                    }
                                }
                                try {
                                    return method.invoke(c, args);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderedListeners {
        final List<String> heard = Collections.synchronizedList(new ArrayList<>());

        @Bean
        @Order(2)
        EnrollmentListener second() {
            return e -> heard.add("second");
        }

        @Bean
        @Order(1)
        EnrollmentListener first() {
            return e -> heard.add("first");
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

    @Configuration(proxyBeanMethods = false)
    static class StartUpOrder {
        final List<String> steps = Collections.synchronizedList(new ArrayList<>());

        @Bean
        FlywayMigrationStrategy recordingStrategy() {
            return (Flyway flyway) -> {
                flyway.migrate();
                steps.add("flyway");
            };
        }

        @Bean
        EnrollmentsBuilderCustomizer recordingCustomizer() {
            return builder -> steps.add("enrollments");
        }
    }
}
