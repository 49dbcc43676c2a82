package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import org.jooq.SQLDialect;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** The databases the library supports, detected from the connection's metadata. */
public enum Dialect {
    /** H2 2.x, the embedded default. */
    H2(SQLDialect.H2, "h2"),
    /** MySQL 8. */
    MYSQL(SQLDialect.MYSQL, "mysql"),
    /**
     * MariaDB 10.6 and later. Rendered with jOOQ's MYSQL dialect: its MARIADB dialect sends {@code INSERT ...
     * RETURNING} through {@code executeQuery}, which mysql-connector-j refuses (jOOQ issue 15027), while generated
     * keys work with both drivers. Only MySQL-8-only syntax ({@code FOR SHARE}) must then be avoided.
     */
    MARIADB(SQLDialect.MYSQL, "mysql"),
    /** PostgreSQL 13 and later. */
    POSTGRES(SQLDialect.POSTGRES, "postgresql");

    private final SQLDialect sqlDialect;
    private final String migrationFolder;

    Dialect(SQLDialect sqlDialect, String migrationFolder) {
        this.sqlDialect = sqlDialect;
        this.migrationFolder = migrationFolder;
    }

    /**
     * Returns jOOQ's dialect.
     *
     * @return the jOOQ dialect used to render SQL
     */
    public SQLDialect sqlDialect() {
        return sqlDialect;
    }

    /**
     * Returns the Flyway location of this dialect's migrations.
     *
     * @return a {@code classpath:} location
     */
    public String migrationLocation() {
        return "classpath:dev/enrollment/db/migration/" + migrationFolder;
    }

    /**
     * Tells whether this is MySQL or MariaDB.
     *
     * @return true for the InnoDB family
     */
    public boolean isMySqlFamily() {
        return this == MYSQL || this == MARIADB;
    }

    /**
     * Detects the dialect of a connection.
     *
     * @param md the connection's metadata
     * @return the dialect
     * @throws SQLException      if the metadata cannot be read
     * @throws DatabaseException if the database is not one the library supports
     */
    public static Dialect detect(DatabaseMetaData md) throws SQLException {
        String product = String.valueOf(md.getDatabaseProductName()).toLowerCase(Locale.ROOT);
        String version = String.valueOf(md.getDatabaseProductVersion()).toLowerCase(Locale.ROOT);
        if (product.contains("h2")) {
            return H2;
        }
        if (product.contains("mariadb") || (product.contains("mysql") && version.contains("mariadb"))) {
            return MARIADB;
        }
        if (product.contains("mysql")) {
            return MYSQL;
        }
        if (product.contains("postgresql")) {
            return POSTGRES;
        }
        throw new DatabaseException("build", 1, "build failed: the database '" + md.getDatabaseProductName()
                + "' is not supported; the library supports H2, MySQL, MariaDB and PostgreSQL", null);
    }
}
