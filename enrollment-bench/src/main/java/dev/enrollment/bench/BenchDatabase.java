package dev.enrollment.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.enrollment.Enrollments;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One fresh database for one benchmark run: the library's tables (migrated by {@link Enrollments#migrate()}), a
 * HikariCP pool configured as the library configures its own, and an {@link Enrollments} on that pool. Closing it
 * closes both and drops the database.
 */
public final class BenchDatabase implements AutoCloseable {
    private final Server server;
    private final String name;
    private final String label;
    private final String url;
    private final String user;
    private final String password;
    private HikariDataSource pool;
    private Enrollments enrollments;

    BenchDatabase(Server server, String name, String label, String url, String user, String password) {
        this.server = server;
        this.name = name;
        this.label = label;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * Opens the pool, builds the library on it and migrates.
     *
     * @param poolSize connections in the pool
     * @return this
     */
    public BenchDatabase open(int poolSize) {
        return open(poolSize, null);
    }

    /**
     * Opens the pool, builds the library on it, with a course capacity when one is given, and migrates.
     *
     * @param poolSize connections in the pool
     * @param capacity the courses' limits, or null for none
     * @return this
     */
    public BenchDatabase open(int poolSize, dev.enrollment.CourseCapacity capacity) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench");
        config.setJdbcUrl(url);
        config.setUsername(user);
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        try {
            pool = new HikariDataSource(config);
            Enrollments.Builder builder = Enrollments.builder().dataSource(pool);
            if (capacity != null) {
                builder.capacity(capacity);
            }
            enrollments = builder.build();
            enrollments.migrate();
            return this;
        } catch (RuntimeException e) {
            close();   // the caller's try-with-resources never saw this object: drop the database here
            throw e;
        }
    }

    /** @return the database's name */
    /** @return whether the database is on PostgreSQL */
    public boolean postgres() {
        return server.postgres();
    }

    public String name() {
        return name;
    }

    /** @return what the run is, for progress lines */
    public String label() {
        return label;
    }

    /** @return the pool the library and the baselines share */
    public HikariDataSource pool() {
        return pool;
    }

    /** @return the library on {@link #pool()} */
    public Enrollments enrollments() {
        return enrollments;
    }

    /**
     * Opens a connection outside the pool (loaders, the user-row writers).
     *
     * @return a new connection; the caller closes it
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /**
     * Runs one statement of the benchmark's own (DDL such as the baseline's foreign key).
     *
     * @param sql the statement
     */
    public void execute(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns one number from a query of the benchmark's own.
     *
     * @param sql the query
     * @return the first column of the first row
     */
    public long queryLong(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (enrollments != null) {
                enrollments.close();
            }
            if (pool != null) {
                pool.close();
            }
        } finally {
            server.drop(name);
        }
    }
}
