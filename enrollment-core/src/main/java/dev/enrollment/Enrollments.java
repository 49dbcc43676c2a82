package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.enrollment.internal.Database;
import dev.enrollment.internal.Dialect;
import dev.enrollment.internal.EnrollmentStore;
import dev.enrollment.internal.Failures;
import dev.enrollment.internal.JdbcUrls;
import dev.enrollment.internal.Migrator;
import dev.enrollment.internal.RetryPolicy;
import dev.enrollment.internal.UserStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point: course enrollments on a database, with no foreign key from the enrollment tables to
 * {@code auth_user} and that integrity kept in application code.
 *
 * <pre>{@code
 * try (Enrollments enrollments = Enrollments.builder().dataSource(ds).build()) {
 *     enrollments.migrate();                                   // needs DDL rights; nothing else does
 *     Enrollment e = enrollments.enrollments().getOrCreate(
 *             User.unsaved("alice", "alice@example.com"), CourseKey.parse("course-v1:edX+DemoX+2026"));
 * }
 * }</pre>
 *
 * <p>Thread-safe; build one per database and share it. {@link Builder#build() Building} connects once to detect the
 * dialect (H2, MySQL, MariaDB or PostgreSQL) but does not touch the schema: on an unmigrated database the first
 * operation throws a {@link DatabaseException} that says to run {@link #migrate()}.
 */
public final class Enrollments implements AutoCloseable {
    private final Database database;
    private final DataSource migrationDataSource;
    private final HikariDataSource ownedPool;
    private final Users users;
    private final EnrollmentRepository enrollments;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Enrollments(Database database, DataSource migrationDataSource, HikariDataSource ownedPool) {
        this.database = database;
        this.migrationDataSource = migrationDataSource;
        this.ownedPool = ownedPool;
        this.users = new UserStore(database);
        this.enrollments = new EnrollmentStore(database);
    }

    /**
     * Starts configuring an instance.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates or updates the library's tables with Flyway; a no-op when they are current. Needs an account that may
     * run DDL (the {@link Builder#migrationDataSource(DataSource) migration data source} when one is set); every
     * other operation needs only SELECT, INSERT, UPDATE and DELETE.
     *
     * <p>Works in a schema that already holds the host application's tables and its own Flyway history: the
     * library's history is kept in {@code enrollment_schema_history} and nothing else is touched.
     *
     * @throws DatabaseException if a migration fails, naming the reason (such as missing DDL rights)
     */
    public void migrate() {
        Migrator.migrate(migrationDataSource != null ? migrationDataSource : database.dataSource(),
                database.dialect());
    }

    /**
     * Returns the users repository.
     *
     * @return the users in {@code auth_user}
     */
    public Users users() {
        return users;
    }

    /**
     * Returns the enrollments repository.
     *
     * @return the enrollments in {@code student_courseenrollment}
     */
    public EnrollmentRepository enrollments() {
        return enrollments;
    }

    /**
     * Closes the connection pool if the library created it ({@link Builder#jdbcUrl}); a data source given with
     * {@link Builder#dataSource} is the caller's to close. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownedPool != null) {
            ownedPool.close();
        }
    }

    /**
     * Configures an {@link Enrollments}. Give exactly one of {@link #dataSource(DataSource)} or
     * {@link #jdbcUrl(String, String, String)}; everything is validated in {@link #build()}.
     */
    public static final class Builder {
        private DataSource dataSource;
        private String jdbcUrl;
        private String user;
        private String password;
        private DataSource migrationDataSource;

        private Builder() {
        }

        /**
         * Uses a data source the caller owns (and closes). Its connections should be in autocommit mode, as pools
         * default to; the library manages its own transactions.
         *
         * @param dataSource the data source
         * @return this builder
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /**
         * Connects through a HikariCP pool that the library creates, and closes in {@link Enrollments#close()}.
         * The JDBC driver for the URL must be on the class path. The password never appears in messages or logs.
         *
         * @param url      a JDBC URL such as {@code jdbc:mysql://127.0.0.1:3306/app} or {@code jdbc:h2:mem:app}
         * @param user     the account, may be null or empty for databases that need none
         * @param password the password, may be null or empty
         * @return this builder
         */
        public Builder jdbcUrl(String url, String user, String password) {
            this.jdbcUrl = url;
            this.user = user;
            this.password = password;
            return this;
        }

        /**
         * Runs {@link Enrollments#migrate()} through a separate data source, typically an account with DDL rights,
         * while everything else runs through the main one with DML rights only. Optional.
         *
         * @param migrationDataSource the data source for migrations, owned by the caller
         * @return this builder
         */
        public Builder migrationDataSource(DataSource migrationDataSource) {
            this.migrationDataSource = migrationDataSource;
            return this;
        }

        /**
         * Validates the configuration, connects once to detect the dialect, and returns the instance. Does not
         * touch the schema.
         *
         * @return the configured instance
         * @throws InvalidInputException if the configuration is incomplete or contradictory, naming the method
         * @throws DatabaseException     if the database cannot be reached (naming host and port, never the
         *                               password) or is not supported
         */
        public Enrollments build() {
            if (dataSource != null && jdbcUrl != null) {
                throw new InvalidInputException("dataSource",
                        "and jdbcUrl are exclusive: call one of Builder.dataSource(...) or Builder.jdbcUrl(...)");
            }
            if (dataSource == null && jdbcUrl == null) {
                throw new InvalidInputException("dataSource",
                        "must be set: call Builder.dataSource(...) or Builder.jdbcUrl(url, user, password)");
            }
            HikariDataSource owned = null;
            DataSource ds = dataSource;
            if (jdbcUrl != null) {
                if (jdbcUrl.isBlank()) {
                    throw new InvalidInputException("jdbcUrl", "must not be empty");
                }
                if (!jdbcUrl.startsWith("jdbc:")) {
                    throw new InvalidInputException("jdbcUrl", "must start with jdbc: (such as "
                            + "jdbc:mysql://127.0.0.1:3306/app or jdbc:h2:mem:app)");
                }
                owned = createPool(jdbcUrl, user, password);
                ds = owned;
            }
            try {
                Dialect dialect = detect(ds);
                return new Enrollments(new Database(ds, dialect, RetryPolicy.DEFAULT), migrationDataSource, owned);
            } catch (RuntimeException e) {
                if (owned != null) {
                    owned.close();
                }
                throw e;
            }
        }

        private Dialect detect(DataSource ds) {
            try (Connection c = ds.getConnection()) {
                return Dialect.detect(c.getMetaData());
            } catch (SQLException e) {
                throw Failures.translate("build", 1, e);
            }
        }

        private static HikariDataSource createPool(String url, String user, String password) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("enrollment");
            config.setJdbcUrl(url);
            if (user != null && !user.isEmpty()) {
                config.setUsername(user);
            }
            if (password != null && !password.isEmpty()) {
                config.setPassword(password);
            }
            if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
                // Keep session state in the driver and cache prepared statements: fewer round trips per call.
                config.addDataSourceProperty("useLocalSessionState", "true");
                config.addDataSourceProperty("cachePrepStmts", "true");
                config.addDataSourceProperty("prepStmtCacheSize", "250");
                config.addDataSourceProperty("prepStmtCacheSqlLimit", "2048");
                config.addDataSourceProperty("rewriteBatchedStatements", "true");
            }
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                // HikariCP's PoolInitializationException lives in an internal package: never let it reach callers.
                SQLException sql = Failures.sqlException(e);
                String reason = JdbcUrls.scrub(sql != null ? sql.getMessage() : e.getMessage(), password);
                throw new DatabaseException("build", 1, "build failed: cannot connect to "
                        + JdbcUrls.hostAndPort(url) + " (" + JdbcUrls.redact(url) + "): " + reason,
                        sql != null ? sql : e);
            }
        }
    }
}
