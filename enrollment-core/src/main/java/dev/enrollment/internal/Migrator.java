package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * Runs the library's Flyway migrations. Flyway is configured from code only (no environment variables, no
 * configuration files), so a host application's own Flyway settings never leak in; the history lives in its own
 * table, {@code enrollment_schema_history}, beside whatever else the schema holds.
 */
public final class Migrator {
    /** The library's Flyway history table. */
    public static final String HISTORY_TABLE = "enrollment_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private Migrator() {
    }

    /**
     * Returns the Flyway configuration for a data source and dialect.
     *
     * @param dataSource a data source whose account may run DDL
     * @param dialect    the dialect, which picks the migration location
     * @return the loaded Flyway instance
     */
    public static Flyway flyway(DataSource dataSource, Dialect dialect) {
        return configure(dataSource, dialect).load();
    }

    /**
     * Records an existing schema as being at a version, without running migrations up to it; for {@code adopt()}.
     *
     * @param dataSource a data source whose account may run DDL
     * @param dialect    the dialect
     * @param version    the version the schema is at
     */
    public static void baseline(DataSource dataSource, Dialect dialect, String version) {
        configure(dataSource, dialect).baselineVersion(version)
                .baselineDescription("enrollment: adopted an existing Open edX schema").load().baseline();
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration configure(DataSource dataSource,
                                                                                    Dialect dialect) {
        return Flyway.configure(Migrator.class.getClassLoader())
                .dataSource(dataSource)
                .table(HISTORY_TABLE)
                .locations(dialect.migrationLocation())
                .failOnMissingLocations(true)
                // A host application's schema already holds tables: baseline below our V1, so V1 still runs.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("enrollment: schema already held other tables")
                .validateMigrationNaming(true)
                .cleanDisabled(true);
    }

    /**
     * Applies every pending migration; a no-op when there is none.
     *
     * @param dataSource a data source whose account may run DDL
     * @param dialect    the dialect
     * @return how many migrations were applied
     * @throws DatabaseException if a migration fails; the message says which
     */
    public static int migrate(DataSource dataSource, Dialect dialect) {
        refuseForeignSchema(dataSource);
        try {
            MigrateResult result = flyway(dataSource, dialect).migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("enrollment schema migrated to version {} ({} migrations applied)",
                        result.targetSchemaVersion, result.migrationsExecuted);
            }
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            SQLException sql = Failures.sqlException(e);
            String why = JdbcUrls.redact(e.getMessage());
            if (sql != null && isMissingPrivilege(sql)) {
                why = "the account lacks the rights to create or alter tables (migrate needs DDL rights; give "
                        + "Enrollments.builder().migrationDataSource(...) an account that has them): "
                        + JdbcUrls.redact(sql.getMessage());
            }
            throw new DatabaseException("migrate", 1, "migrate failed: " + why, sql != null ? sql : e);
        }
    }

    /**
     * Refuses, changing nothing, a schema that already holds tables of the library's names (an Open edX database)
     * but not the library's migration history: V1 would fail on them half-way. {@code adopt()} takes such a schema
     * over.
     */
    private static void refuseForeignSchema(DataSource dataSource) {
        java.util.List<String> found = new java.util.ArrayList<>();
        try (java.sql.Connection c = dataSource.getConnection()) {
            if (Schemas.tableExists(c, HISTORY_TABLE)) {
                return;
            }
            for (String table : java.util.List.of("auth_user", "student_courseenrollment")) {
                if (Schemas.tableExists(c, table)) {
                    found.add(table);
                }
            }
        } catch (SQLException e) {
            throw Failures.translate("migrate", 1, e);
        }
        if (!found.isEmpty()) {
            throw new DatabaseException("migrate", 1, "migrate changed nothing: this schema already holds "
                    + String.join(" and ", found) + " (an existing Open edX database?) but not the library's "
                    + "migration history (" + HISTORY_TABLE + "); run Enrollments.adopt() (or `enrollment adopt`) "
                    + "to take it over", null);
        }
    }

    /**
     * Reads where the schema stands, without changing anything: the version the history records, the latest
     * version this library ships, how many migrations are pending, and the first that failed.
     *
     * @param dataSource a data source that may read the history table
     * @param dialect    the dialect
     * @return the status
     * @throws DatabaseException if the database cannot be read
     */
    public static Status status(DataSource dataSource, Dialect dialect) {
        try {
            org.flywaydb.core.api.MigrationInfoService info = flyway(dataSource, dialect).info();
            org.flywaydb.core.api.MigrationInfo current = info.current();
            String library = null;
            String failed = null;
            for (org.flywaydb.core.api.MigrationInfo m : info.all()) {
                if (m.getVersion() != null && m.getType() != null && !m.getType().isBaseline()
                        && m.getState() != org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS) {
                    library = m.getVersion().getVersion();
                }
                if (failed == null && m.getState().isFailed()) {
                    failed = m.getVersion() != null ? m.getVersion().getVersion() : m.getDescription();
                }
            }
            String installed = current == null || current.getVersion() == null ? null
                    : current.getVersion().getVersion();
            return new Status(installed, library, info.pending().length, failed);
        } catch (FlywayException e) {
            SQLException sql = Failures.sqlException(e);
            throw new DatabaseException("schemaStatus", 1, "schemaStatus failed: " + JdbcUrls.redact(
                    sql != null ? sql.getMessage() : e.getMessage()), sql != null ? sql : e);
        }
    }

    /**
     * Where the schema stands.
     *
     * @param installed the version the history records, null when none
     * @param library   the latest version this library ships
     * @param pending   migrations not applied yet
     * @param failed    the first migration recorded as failed, null when none
     */
    public record Status(String installed, String library, int pending, String failed) {
    }

    private static boolean isMissingPrivilege(SQLException e) {
        // MySQL/MariaDB 1142 (command denied), 1044 (access denied to database); SQLState 42501 (PostgreSQL, H2)
        int code = e.getErrorCode();
        return code == 1142 || code == 1044 || "42501".equals(e.getSQLState());
    }
}
