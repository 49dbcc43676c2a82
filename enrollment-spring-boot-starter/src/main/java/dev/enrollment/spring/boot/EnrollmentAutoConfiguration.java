package dev.enrollment.spring.boot;

import dev.enrollment.CourseCapacity;
import dev.enrollment.EnrollmentListener;
import dev.enrollment.Enrollments;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.OperationObserver;
import dev.enrollment.UserLookup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import javax.sql.DataSource;

/**
 * Auto-configuration of the enrollment library on the application's {@link DataSource}: an {@link Enrollments}
 * bean, migrated at start-up after the application's own Flyway migrations (unless {@code enrollment.migrate=false};
 * {@code enrollment.adopt=true} adopts an existing Open edX database instead), whose calls join the Spring
 * transaction of the calling thread ({@link SpringExternalTransactions}); every {@link EnrollmentListener} bean
 * registered in {@code @Order}; a Micrometer observation per call when an {@link ObservationRegistry} is present
 * ({@link MicrometerOperationObserver}); and the actuator health contributor {@code enrollment}
 * ({@link EnrollmentHealthIndicator}). Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
        after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class},
        afterName = {"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
                "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(Enrollments.class)
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(EnrollmentProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class EnrollmentAutoConfiguration {

    /**
     * The hook that joins the library's calls to Spring transactions on the application's data source.
     *
     * @param dataSource the application's data source
     * @return the hook
     */
    @Bean
    @ConditionalOnMissingBean
    ExternalTransactions enrollmentExternalTransactions(DataSource dataSource) {
        return new SpringExternalTransactions(dataSource);
    }

    /**
     * The library, built on the application's data source and migrated (or adopted) at start-up.
     *
     * @param dataSource   the application's data source
     * @param properties   the {@code enrollment.*} properties
     * @param transactions the hook for Spring transactions
     * @param listeners    the listener beans, in order
     * @param observer     the observer bean, if any
     * @param userLookup   the user lookup bean, if any
     * @param capacity     the course capacity bean, if any: the most active enrollments per course
     * @param customizers  the builder customizers, in order
     * @return the library
     */
    @Bean
    @ConditionalOnMissingBean
    Enrollments enrollments(DataSource dataSource, EnrollmentProperties properties,
                            ExternalTransactions transactions, ObjectProvider<EnrollmentListener> listeners,
                            ObjectProvider<OperationObserver> observer, ObjectProvider<UserLookup> userLookup,
                            ObjectProvider<EnrollmentsBuilderCustomizer> customizers,
                            ObjectProvider<CourseCapacity> capacity) {
        Enrollments.Builder builder = Enrollments.builder()
                .dataSource(dataSource)
                .externalTransactions(transactions)
                .retryAttempts(properties.getRetryAttempts())
                .batchSize(properties.getBatchSize());
        listeners.orderedStream().forEach(builder::listener);
        observer.ifAvailable(builder::observer);
        userLookup.ifAvailable(builder::userLookup);
        capacity.ifAvailable(builder::capacity);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        Enrollments enrollments = builder.build();
        try {
            if (properties.isMigrate()) {
                if (properties.isAdopt()) {
                    enrollments.adopt();
                } else {
                    enrollments.migrate();
                }
            }
        } catch (RuntimeException e) {
            enrollments.close();
            throw e;
        }
        return enrollments;
    }

    /** Micrometer, when the application has an observation registry (Boot's actuator brings one). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ObservationRegistry.class, MeterRegistry.class})
    @ConditionalOnBean(ObservationRegistry.class)
    static class ObservationConfiguration {
        /**
         * The observer that reports every call.
         *
         * @param observations the registry
         * @param meters       the meter registry for the retry counter, if any
         * @return the observer
         */
        @Bean
        @ConditionalOnMissingBean
        OperationObserver enrollmentOperationObserver(ObservationRegistry observations,
                                                      ObjectProvider<MeterRegistry> meters) {
            return new MicrometerOperationObserver(observations, meters.getIfUnique());
        }
    }

    /** The actuator health contributor, when Boot's health support is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
    @ConditionalOnEnabledHealthIndicator("enrollment")
    static class HealthConfiguration {
        /**
         * The health contributor {@code enrollment}.
         *
         * @param enrollments the library
         * @return the indicator
         */
        @Bean
        @ConditionalOnMissingBean(name = "enrollmentHealthIndicator")
        EnrollmentHealthIndicator enrollmentHealthIndicator(Enrollments enrollments) {
            return new EnrollmentHealthIndicator(enrollments);
        }
    }
}
