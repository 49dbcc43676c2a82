package dev.enrollment.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** What a schema holds, read from the connection's metadata: tables, columns and foreign keys, by name. */
final class Schemas {
    private Schemas() {
    }

    /** How the database stores an unquoted identifier (H2: upper case; MySQL and PostgreSQL: as written). */
    static String stored(DatabaseMetaData md, String name) throws SQLException {
        return md.storesUpperCaseIdentifiers() ? name.toUpperCase(Locale.ROOT) : name;
    }

    /**
     * Tells whether the connection's schema has the table, spelled as written or as the database stores unquoted
     * names (Flyway creates its history table quoted, so on H2 it is lower case).
     *
     * @param c     the connection
     * @param table the table's name, in lower case
     * @return true if it exists
     * @throws SQLException if the metadata cannot be read
     */
    static boolean tableExists(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), table, null)) {
            if (rs.next()) {
                return true;
            }
        }
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), stored(md, table), null)) {
            return rs.next();
        }
    }

    /**
     * Returns a table's columns, in lower case; empty when the table does not exist.
     *
     * @param c     the connection
     * @param table the table's name, in lower case
     * @return the column names
     * @throws SQLException if the metadata cannot be read
     */
    static Set<String> columns(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Set<String> columns = new TreeSet<>();
        try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), stored(md, table), "%")) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return columns;
    }

    /**
     * Returns the names of a table's foreign keys that reference {@code auth_user}, found by what they reference,
     * never by their names (Django generates those, and older releases generated others).
     *
     * @param c     the connection
     * @param table the table's name, in lower case
     * @return the constraint names, as the database spells them
     * @throws SQLException if the metadata cannot be read
     */
    static Set<String> foreignKeysToAuthUser(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        Set<String> names = new TreeSet<>();
        try (ResultSet rs = md.getImportedKeys(c.getCatalog(), c.getSchema(), stored(md, table))) {
            while (rs.next()) {
                if ("auth_user".equalsIgnoreCase(rs.getString("PKTABLE_NAME"))) {
                    names.add(rs.getString("FK_NAME"));
                }
            }
        }
        return names;
    }
}
