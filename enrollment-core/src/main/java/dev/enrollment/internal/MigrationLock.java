package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Serialises {@code migrate()} and {@code adopt()} across the nodes of a MariaDB Galera cluster.
 *
 * <p>Flyway serialises migrations with {@code GET_LOCK} on MySQL and MariaDB, and on a Galera node (wsrep_on) with
 * {@code SELECT ... FOR UPDATE} on its history table: both locks are local to one node, and Galera replicates
 * neither. Two services migrating through two nodes at once would both run the same DDL; the loser's statement
 * fails on a table the winner created, and Flyway records that migration as failed, which breaks every later
 * {@code migrate()} until someone runs Flyway's repair.
 *
 * <p>The lock is a table: {@code CREATE TABLE enrollment_migration_lock} is DDL, which Galera runs in total order
 * on every node (TOI), so of two nodes creating it at once exactly one succeeds and the other gets error 1050. The
 * holder migrates and drops the table; the others wait, trying again every 250 ms, and then migrate themselves
 * (finding nothing left to do). On a server without wsrep the work runs as before, under Flyway's own lock. A
 * holder that dies leaves the table behind: waiters give up after the timeout with a message naming the table,
 * which is dropped by hand once no migration runs.
 */
public final class MigrationLock {
    /** The table whose existence is the lock. */
    public static final String TABLE = "enrollment_migration_lock";
    /** How long a migrate() waits for another node's by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(MigrationLock.class);
    private static final int MYSQL_TABLE_EXISTS = 1050;
    private static final Settings SETTINGS = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER);

    private MigrationLock() {
    }

    /**
     * Runs the work holding the cluster-wide migration lock when the database is a Galera node; else runs it as is.
     *
     * @param dataSource the migration data source (DDL rights)
     * @param dialect    the dialect
     * @param operation  the operation, for messages ("migrate", "adopt")
     * @param timeout    how long to wait for another node's migration
     * @param work       the migration
     * @param <T>        its result
     * @return the work's result
     */
    public static <T> T around(DataSource dataSource, Dialect dialect, String operation, Duration timeout,
                               Supplier<T> work) {
        if (!dialect.isMySqlFamily()) {
            return work.get();
        }
        // The lock's connection is not held while the work runs: a migration pool of one connection still works.
        Connection c;
        boolean galera;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            return work.get();   // no server: the migration reports it, in its own words
        }
        try (c) {
            galera = wsrepOn(c);
            if (galera) {
                acquire(DSL.using(c, SQLDialect.MYSQL, SETTINGS), c, operation, timeout);
            }
        } catch (SQLException e) {
            throw new DatabaseException(operation, 1, operation + " failed: could not take the cluster-wide "
                    + "migration lock (table " + TABLE + "): " + JdbcUrls.redact(e.getMessage()), e);
        }
        if (!galera) {
            return work.get();
        }
        LOG.debug("{}: holding the cluster-wide migration lock {}", operation, TABLE);
        try {
            return work.get();
        } finally {
            release(dataSource, operation);
        }
    }

    /** True on a Galera node: wsrep_on is ON (MySQL without Galera has no such variable). */
    static boolean wsrepOn(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SHOW VARIABLES LIKE 'wsrep_on'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && "ON".equalsIgnoreCase(rs.getString(2));
        }
    }

    private static void acquire(DSLContext dsl, Connection c, String operation, Duration timeout)
            throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean logged = false;
        while (true) {
            try {
                dsl.createTable(TABLE)
                        .column("id", SQLDataType.INTEGER.notNull())
                        .constraints(DSL.primaryKey("id"))
                        .execute();
                return;
            } catch (org.jooq.exception.DataAccessException e) {
                SQLException sql = Failures.sqlException(e);
                if (sql == null || sql.getErrorCode() != MYSQL_TABLE_EXISTS) {
                    throw sql != null ? sql : new SQLException(e.getMessage(), e);
                }
            }
            if (!logged) {
                LOG.info("{}: another migration holds the cluster-wide lock ({}); waiting for it", operation, TABLE);
                logged = true;
            }
            if (System.nanoTime() > deadline) {
                throw new DatabaseException(operation, 1, operation + " failed: another migration has held the "
                        + "cluster-wide migration lock for more than " + timeout.toSeconds() + " s (table " + TABLE
                        + " exists" + createdAt(c) + "); if no migrate() or adopt() is running on any node, "
                        + "DROP TABLE " + TABLE + " and run it again", null);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseException(operation, 1, operation + " interrupted while waiting for the "
                        + "cluster-wide migration lock (table " + TABLE + ")", e);
            }
        }
    }

    private static String createdAt(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT create_time FROM information_schema.tables "
                + "WHERE table_schema = DATABASE() AND table_name = ?")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? ", created " + rs.getString(1) : "";
            }
        } catch (SQLException e) {
            return "";
        }
    }

    private static void release(DataSource dataSource, String operation) {
        try (Connection c = dataSource.getConnection()) {
            DSL.using(c, SQLDialect.MYSQL, SETTINGS).dropTableIfExists(TABLE).execute();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{}: could not drop the migration lock table {}; drop it by hand, or the next migrate() "
                    + "on this cluster waits for it", operation, TABLE, e);
        }
    }
}
