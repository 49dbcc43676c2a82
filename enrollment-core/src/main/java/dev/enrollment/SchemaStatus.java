package dev.enrollment;

import java.util.Optional;

/**
 * Where a database's schema stands against this version of the library, as {@link Enrollments#schemaStatus()}
 * reads it from the library's Flyway history ({@code enrollment_schema_history}). Immutable.
 */
public final class SchemaStatus {
    private final String installedVersion;
    private final String libraryVersion;
    private final int pendingMigrations;
    private final String failedMigration;

    private SchemaStatus(String installedVersion, String libraryVersion, int pendingMigrations,
                         String failedMigration) {
        this.installedVersion = installedVersion;
        this.libraryVersion = libraryVersion;
        this.pendingMigrations = pendingMigrations;
        this.failedMigration = failedMigration;
    }

    /**
     * Makes a status; for the library's implementation.
     *
     * @param installedVersion  the version the history records, null when there is none
     * @param libraryVersion    the latest migration this library ships
     * @param pendingMigrations migrations not applied yet
     * @param failedMigration   the version of a migration recorded as failed, null when none
     * @return the status
     */
    static SchemaStatus of(String installedVersion, String libraryVersion, int pendingMigrations,
                           String failedMigration) {
        return new SchemaStatus(installedVersion, libraryVersion, pendingMigrations, failedMigration);
    }

    /**
     * Tells whether the schema is at the library's version: migrated, nothing pending, nothing failed. A schema
     * that a newer version of the library has migrated further is current too.
     *
     * @return true when every call can run
     */
    public boolean isCurrent() {
        return installedVersion != null && pendingMigrations == 0 && failedMigration == null;
    }

    /**
     * Returns the version the library's Flyway history records.
     *
     * @return the version, or empty when the library's tables were never migrated here
     */
    public Optional<String> installedVersion() {
        return Optional.ofNullable(installedVersion);
    }

    /**
     * Returns the version of the latest migration this library ships.
     *
     * @return the version, such as {@code 3}
     */
    public String libraryVersion() {
        return libraryVersion;
    }

    /**
     * Returns how many of the library's migrations are not applied yet.
     *
     * @return 0 when none is pending
     */
    public int pendingMigrations() {
        return pendingMigrations;
    }

    /**
     * Returns the version of a migration that the history records as failed.
     *
     * @return the version, or empty when none failed
     */
    public Optional<String> failedMigration() {
        return Optional.ofNullable(failedMigration);
    }

    /**
     * Describes the status in one sentence, for health checks and logs.
     *
     * @return such as {@code "schema at version 3"} or {@code "schema not migrated: 3 migrations pending; run migrate()"}
     */
    @Override
    public String toString() {
        if (failedMigration != null) {
            return "schema migration " + failedMigration + " failed; repair it and run migrate()";
        }
        if (installedVersion == null) {
            return "schema not migrated: " + pendingMigrations + " migrations pending; run migrate()";
        }
        if (pendingMigrations > 0) {
            return "schema at version " + installedVersion + ", library at " + libraryVersion + ": "
                    + pendingMigrations + " migrations pending; run migrate()";
        }
        return "schema at version " + installedVersion;
    }
}
