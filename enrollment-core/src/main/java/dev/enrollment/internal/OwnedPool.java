package dev.enrollment.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.enrollment.DatabaseException;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The HikariCP pool the library creates, and closes, for {@code Builder.jdbcUrl}. The only class that names
 * HikariCP's types: a caller who gives its own {@code DataSource} may leave HikariCP off the class path, since this
 * class is then never loaded ({@link #describe} is reached only when HikariCP is present).
 */
public final class OwnedPool implements AutoCloseable {
    private static final boolean HIKARI_PRESENT = present("com.zaxxer.hikari.HikariDataSource");
    /** The longest statement text mysql-connector-j keeps parsed in its prepared-statement cache, in characters. */
    static final int PREPARED_TEXT_LIMIT = 131_072;
    private final HikariDataSource pool;

    private OwnedPool(HikariDataSource pool) {
        this.pool = pool;
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, OwnedPool.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Creates the pool, tuned for the driver the URL names.
     *
     * @param url      the JDBC URL
     * @param user     the account, may be null or empty
     * @param password the password, may be null or empty; never in a message
     * @param size     the maximum pool size
     * @param timeout  how long a call waits for a connection
     * @return the pool
     * @throws DatabaseException if HikariCP is not on the class path, or the pool cannot start (naming host and
     *                           port, never the password)
     */
    public static OwnedPool create(String url, String user, String password, int size, Duration timeout) {
        if (!HIKARI_PRESENT) {
            throw new DatabaseException("build", 1, "build failed: Builder.jdbcUrl(...) creates a HikariCP pool, and "
                    + "com.zaxxer:HikariCP is not on the class path: add it, or give Builder.dataSource(...) a data "
                    + "source of your own", null);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("enrollment");
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(timeout.toMillis());
        config.setJdbcUrl(url);
        if (user != null && !user.isEmpty()) {
            config.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            // Keep session state in the driver and cache prepared statements: fewer round trips per call. The
            // cache's text limit covers enrollAll's multi-row insert at every allowed batch size (about 40
            // characters a row: 80 KB at 2,000), which the driver otherwise parses again for every batch.
            config.addDataSourceProperty("useLocalSessionState", "true");
            config.addDataSourceProperty("cachePrepStmts", "true");
            config.addDataSourceProperty("prepStmtCacheSize", "250");
            config.addDataSourceProperty("prepStmtCacheSqlLimit", String.valueOf(PREPARED_TEXT_LIMIT));
            config.addDataSourceProperty("rewriteBatchedStatements", "true");
        }
        try {
            return new OwnedPool(new HikariDataSource(config));
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException lives in an internal package: never let it reach callers.
            SQLException sql = Failures.sqlException(e);
            String reason = JdbcUrls.scrub(sql != null ? sql.getMessage() : e.getMessage(), password);
            throw new DatabaseException("build", 1, "build failed: cannot connect to "
                    + JdbcUrls.hostAndPort(url) + " (" + JdbcUrls.redact(url) + "): " + reason,
                    Failures.sanitized(sql != null ? sql : e, password));
        }
    }

    /**
     * Returns the pool as a data source.
     *
     * @return the pool
     */
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * Describes a HikariCP pool for timeout messages: "pool 'name' of N connections, T ms connection timeout".
     *
     * @param ds any data source
     * @return the description, or null when it is not a HikariCP pool (or HikariCP is absent)
     * @throws SQLException if unwrapping fails
     */
    static String describe(DataSource ds) throws SQLException {
        if (!HIKARI_PRESENT || !ds.isWrapperFor(HikariDataSource.class)) {
            return null;
        }
        HikariDataSource h = ds.unwrap(HikariDataSource.class);
        return "pool '" + h.getPoolName() + "' of " + h.getMaximumPoolSize() + " connections, "
                + h.getConnectionTimeout() + " ms connection timeout";
    }
}
