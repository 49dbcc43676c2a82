package dev.enrollment.spring.boot;

import dev.enrollment.Enrollments;

/**
 * Customizes the builder of the auto-configured {@link Enrollments} bean, after the starter applied the
 * {@code enrollment.*} properties, listeners, observer and transaction hook, and before it builds: for options no
 * property expresses, without giving up the rest of the auto-configuration. Beans of this type run in
 * {@link org.springframework.core.annotation.Order @Order}.
 */
@FunctionalInterface
public interface EnrollmentsBuilderCustomizer {
    /**
     * Customizes the builder.
     *
     * @param builder the builder, already on the application's {@code DataSource}
     */
    void customize(Enrollments.Builder builder);
}
