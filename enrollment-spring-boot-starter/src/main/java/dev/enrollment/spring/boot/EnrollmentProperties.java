package dev.enrollment.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code enrollment.*} properties: the options of {@link dev.enrollment.Enrollments.Builder} that a Spring Boot
 * application sets in its configuration. What a property cannot express (a {@link dev.enrollment.UserLookup}, a
 * listener) is a bean, or an {@link EnrollmentsBuilderCustomizer}.
 */
@ConfigurationProperties("enrollment")
public class EnrollmentProperties {
    /**
     * Whether to migrate the library's tables at start-up (Enrollments.migrate(), after the application's own
     * Flyway migrations). Needs an account with DDL rights; false changes no schema at start-up.
     */
    private boolean migrate = true;

    /**
     * Whether the start-up migration adopts an existing Open edX database instead (Enrollments.adopt(): checks
     * its tables, drops the foreign keys to auth_user, records the history, then migrates). Applies only while
     * enrollment.migrate is true.
     */
    private boolean adopt = false;

    /**
     * Attempts, from 1 to 10, for an idempotent call that meets a deadlock or lock-wait timeout. Calls that join a
     * Spring transaction are never retried: its other work cannot be redone.
     */
    private int retryAttempts = 3;

    /** Rows per batch of bulk work (enrollAll, changeModeAll, user deletion, the orphan audit), 1 to 2000. */
    private int batchSize = 1000;

    /**
     * Returns whether the start-up migration runs.
     *
     * @return true by default
     */
    public boolean isMigrate() {
        return migrate;
    }

    /**
     * Sets whether the start-up migration runs.
     *
     * @param migrate false to change no schema at start-up
     */
    public void setMigrate(boolean migrate) {
        this.migrate = migrate;
    }

    /**
     * Returns whether the start-up migration adopts an existing Open edX database.
     *
     * @return false by default
     */
    public boolean isAdopt() {
        return adopt;
    }

    /**
     * Sets whether the start-up migration adopts an existing Open edX database.
     *
     * @param adopt true to adopt
     */
    public void setAdopt(boolean adopt) {
        this.adopt = adopt;
    }

    /**
     * Returns the attempts for a call that meets a deadlock.
     *
     * @return 3 by default
     */
    public int getRetryAttempts() {
        return retryAttempts;
    }

    /**
     * Sets the attempts for a call that meets a deadlock.
     *
     * @param retryAttempts 1 to 10
     */
    public void setRetryAttempts(int retryAttempts) {
        this.retryAttempts = retryAttempts;
    }

    /**
     * Returns the rows per batch of bulk work.
     *
     * @return 1000 by default
     */
    public int getBatchSize() {
        return batchSize;
    }

    /**
     * Sets the rows per batch of bulk work.
     *
     * @param batchSize 1 to 2000
     */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }
}
