package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import org.flywaydb.core.api.FlywayException;
import org.jooq.DSLContext;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
            DatabaseMetaData md = c.getMetaData();
            if (tableExists(md, c, Migrator.HISTORY_TABLE)) {
                LOG.info("the schema already has {}: adopt() only migrates", Migrator.HISTORY_TABLE);
                Migrator.migrate(dataSource, dialect);
                return dropped;
            }
            List<String> missing = new ArrayList<>();
            Map<String, Set<String>> present = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> t : REQUIRED.entrySet()) {
                Set<String> columns = columns(md, c, t.getKey());
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

            DSLContext ddl = DSL.using(c, dialect.sqlDialect(),
                    Database.SETTINGS.withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED));
            for (String table : present.keySet()) {
                if (table.equals("auth_user")) {
                    continue;
                }
                for (String fk : foreignKeysToAuthUser(md, c, table)) {
                    ddl.alterTable(DSL.unquotedName(table)).dropForeignKey(DSL.quotedName(fk)).execute();
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

    private static String stored(DatabaseMetaData md, String name) throws SQLException {
        return md.storesUpperCaseIdentifiers() ? name.toUpperCase(Locale.ROOT) : name;
    }

    private static boolean tableExists(DatabaseMetaData md, Connection c, String table) throws SQLException {
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), table, null)) {
            if (rs.next()) {
                return true;
            }
        }
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), stored(md, table), null)) {
            return rs.next();
        }
    }

    private static Set<String> columns(DatabaseMetaData md, Connection c, String table) throws SQLException {
        Set<String> columns = new TreeSet<>();
        try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), stored(md, table), "%")) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return columns;
    }

    private static List<String> foreignKeysToAuthUser(DatabaseMetaData md, Connection c, String table)
            throws SQLException {
        Set<String> names = new TreeSet<>();
        try (ResultSet rs = md.getImportedKeys(c.getCatalog(), c.getSchema(), stored(md, table))) {
            while (rs.next()) {
                if ("auth_user".equalsIgnoreCase(rs.getString("PKTABLE_NAME"))) {
                    names.add(rs.getString("FK_NAME"));
                }
            }
        }
        return new ArrayList<>(names);
    }
}
