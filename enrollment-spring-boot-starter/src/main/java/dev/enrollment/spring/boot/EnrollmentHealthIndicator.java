package dev.enrollment.spring.boot;

import dev.enrollment.Enrollments;
import dev.enrollment.SchemaStatus;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The actuator health contributor {@code enrollment}: UP when the database answers and the library's schema is at
 * its version ({@link Enrollments#schemaStatus()}, read from {@code enrollment_schema_history}); DOWN with the
 * reason otherwise (not migrated, migrations pending or failed, or the database's error).
 */
public final class EnrollmentHealthIndicator extends AbstractHealthIndicator {
    private final Enrollments enrollments;

    /**
     * Creates the indicator.
     *
     * @param enrollments the library
     */
    public EnrollmentHealthIndicator(Enrollments enrollments) {
        super("enrollment health check failed");
        this.enrollments = enrollments;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        SchemaStatus status = enrollments.schemaStatus();
        builder.withDetail("libraryVersion", status.libraryVersion());
        status.installedVersion().ifPresent(v -> builder.withDetail("schemaVersion", v));
        if (status.isCurrent()) {
            builder.up();
        } else {
            builder.down().withDetail("reason", status.toString());
        }
    }
}
