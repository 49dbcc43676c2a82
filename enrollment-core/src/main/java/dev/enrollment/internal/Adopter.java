package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jooq.DSLContext;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes over an existing Open edX schema: checks that its tables have what the library needs, drops the foreign
 * keys from the library's tables to {@code auth_user} (and nothing else), and records the migration history so that
 * {@code migrate()} works from then on.
 */
public final class Adopter {
    private static final Logger LOG = LoggerFactory.getLogger(Adopter.class);

    /** The columns the library reads and writes, per table; the first two tables must exist. */
    private static final Map<String, List<String>> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("auth_user", List.of("id", "password", "last_login", "is_superuser", "username", "first_name",
                "last_name", "email", "is_staff", "is_active", "date_joined"));
        REQUIRED.put("student_courseenrollment", List.of("id", "user_id", "course_id", "created", "is_active",
                "mode"));
        REQUIRED.put("student_courseenrollment_history", List.of("id", "created", "is_active", "mode",
                "history_id", "history_date", "history_change_reason", "history_type", "course_id",
                "history_user_id", "user_id"));
        REQUIRED.put("student_courseenrollmentallowed", List.of("id", "email", "course_id", "created",
                "auto_enroll", "user_id"));
    }

    private static final Set<String> MUST_EXIST = Set.of("auth_user", "student_courseenrollment");
    /** How long a foreign key's drop waits for the table's metadata lock before the server refuses it. */
    private static final int LOCK_WAIT_SECONDS = 30;

    private Adopter() {
    }

    /**
     * Adopts the schema the data source connects to.
     *
     * @param dataSource an account with DDL rights
     * @param dialect    the dialect
     * @return the foreign keys dropped, as {@code table.constraint}
     * @throws DatabaseException if a required table or column is missing (naming every one; nothing changed), or
     *                           the database fails
     */
    public static List<String> adopt(DataSource dataSource, Dialect dialect) {
        List<String> dropped = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            DSLContext ddl = DSL.using(c, dialect.sqlDialect(),
                    Database.SETTINGS.withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED));
            if (Schemas.tableExists(c, Migrator.HISTORY_TABLE)) {
                if (managed(dataSource, dialect)) {
                    LOG.info("the schema already has the library's migrations: adopt() only migrates");
                    Migrator.migrate(dataSource, dialect);
                    return dropped;
                }
                // What an earlier, mistaken migrate() on this schema left: Flyway's table holding nothing but its
                // baseline and the failed first migration. It is the library's own; start over without it.
                LOG.info("adopt: removing {}, which holds no applied migration (left by a failed migrate())",
                        Migrator.HISTORY_TABLE);
                ddl.dropTable(DSL.quotedName(Migrator.HISTORY_TABLE)).execute();
            }
            List<String> missing = new ArrayList<>();
            Map<String, Set<String>> present = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> t : REQUIRED.entrySet()) {
                Set<String> columns = Schemas.columns(c, t.getKey());
                if (columns.isEmpty()) {
                    if (MUST_EXIST.contains(t.getKey())) {
                        missing.add("table " + t.getKey());
                    }
                    continue;
                }
                present.put(t.getKey(), columns);
                for (String column : t.getValue()) {
                    if (!columns.contains(column)) {
                        missing.add("column " + t.getKey() + "." + column);
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new DatabaseException("adopt", 1, "adopt changed nothing: the schema lacks what the library "
                        + "needs: " + String.join(", ", missing), null);
            }
            for (String table : present.keySet()) {
                if (table.equals("auth_user")) {
                    continue;
                }
                for (String fk : Schemas.foreignKeysToAuthUser(c, table)) {
                    dropForeignKey(c, ddl, dialect, table, fk);
                    dropped.add(table + "." + fk);
                    LOG.info("adopt: dropped foreign key {} of {} to auth_user", fk, table);
                }
            }
        } catch (SQLException | org.jooq.exception.DataAccessException e) {
            throw Failures.translate("adopt", 1, e);
        }
        try {
            Migrator.baseline(dataSource, dialect, "1");
        } catch (FlywayException e) {
            throw new DatabaseException("adopt", 1, "adopt failed to record the migration history: "
                    + JdbcUrls.redact(e.getMessage()), Failures.sqlException(e) != null ? Failures.sqlException(e) : e);
        }
        Migrator.migrate(dataSource, dialect);
        return dropped;
    }

    /** Whether Flyway's table records an applied migration of the library's (a baseline at 1 by adopt, or V1). */
    private static boolean managed(DataSource dataSource, Dialect dialect) {
        try {
            for (MigrationInfo m : Migrator.flyway(dataSource, dialect).info().applied()) {
                boolean applied = m.getState() == MigrationState.SUCCESS || m.getState() == MigrationState.BASELINE;
                if (applied && m.getVersion() != null && m.getVersion().isAtLeast("1")) {
                    return true;
                }
            }
            return false;
        } catch (FlywayException e) {
            throw new DatabaseException("adopt", 1, "adopt failed to read the migration history: "
                    + JdbcUrls.redact(e.getMessage()), Failures.sqlException(e) != null ? Failures.sqlException(e) : e);
        }
    }

    /**
     * Drops one foreign key without copying or locking the table: on InnoDB dropping a foreign key is a metadata
     * change, and {@code ALGORITHM=INPLACE, LOCK=NONE} makes the server refuse rather than silently copy a table of
     * tens of millions of rows or block its writers; the metadata lock it needs is waited for at most
     * {@value #LOCK_WAIT_SECONDS} s. PostgreSQL's {@code DROP CONSTRAINT} is a catalog change too, under a short
     * exclusive lock that is likewise waited for at most that long, not queued behind a long transaction forever.
     */
    private static void dropForeignKey(Connection c, DSLContext ddl, Dialect dialect, String table, String fk)
            throws SQLException {
        if (dialect.isMySqlFamily()) {
            ddl.query("SET SESSION lock_wait_timeout = {0}", DSL.inline(LOCK_WAIT_SECONDS)).execute();
            try {
                ddl.query("ALTER TABLE {0} DROP FOREIGN KEY {1}, ALGORITHM=INPLACE, LOCK=NONE",
                        DSL.quotedName(table), DSL.quotedName(fk)).execute();
            } finally {
                ddl.query("SET SESSION lock_wait_timeout = DEFAULT").execute();
            }
            return;
        }
        if (dialect == Dialect.POSTGRES) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                ddl.query("SET LOCAL lock_timeout = {0}", DSL.inline(LOCK_WAIT_SECONDS + "s")).execute();
                ddl.alterTable(DSL.unquotedName(table)).dropConstraint(DSL.quotedName(fk)).execute();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            return;
        }
        ddl.alterTable(DSL.unquotedName(table)).dropForeignKey(DSL.quotedName(fk)).execute();
    }

}
