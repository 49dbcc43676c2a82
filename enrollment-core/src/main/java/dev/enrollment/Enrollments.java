package dev.enrollment;

import dev.enrollment.internal.Adopter;
import dev.enrollment.internal.AllowanceStore;
import dev.enrollment.internal.Change;
import dev.enrollment.internal.Checks;
import dev.enrollment.internal.Database;
import dev.enrollment.internal.Dialect;
import dev.enrollment.internal.EnrollmentStore;
import dev.enrollment.internal.Failures;
import dev.enrollment.internal.JdbcUrls;
import dev.enrollment.internal.MigrationLock;
import dev.enrollment.internal.Migrator;
import dev.enrollment.internal.Observed;
import dev.enrollment.internal.OrphanStore;
import dev.enrollment.internal.OwnedPool;
import dev.enrollment.internal.QuietJooq;
import dev.enrollment.internal.RetryPolicy;
import dev.enrollment.internal.Scope;
import dev.enrollment.internal.TransactionImpl;
import dev.enrollment.internal.UserStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

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
    static {
        QuietJooq.apply();   // no jOOQ logo, tips or version warning in the consumer's log, unless it asks
    }

    /** Connections in the pool the library creates for {@code jdbcUrl}, by default. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** How long an operation waits for a pooled connection by default. */
    public static final java.time.Duration DEFAULT_CONNECTION_TIMEOUT = java.time.Duration.ofSeconds(5);
    /** Rows per batch of bulk work by default. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** The largest batch: a batch's multi-row history insert must stay within PostgreSQL's 32767 bind values. */
    public static final int MAX_BATCH_SIZE = 2000;

    private final Database database;
    private final DataSource migrationDataSource;
    private final OwnedPool ownedPool;
    private final Users users;
    private final EnrollmentRepository enrollments;
    private final Allowances allowances;
    private final Orphans orphans;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final OperationObserver observer;

    private Enrollments(Database database, DataSource migrationDataSource, OwnedPool ownedPool,
                        OperationObserver observer) {
        this.database = database;
        this.migrationDataSource = migrationDataSource;
        this.ownedPool = ownedPool;
        this.observer = observer;
        Scope scope = Scope.top(database);
        this.users = Observed.wrap(Users.class, new UserStore(scope), observer);
        this.enrollments = Observed.wrap(EnrollmentRepository.class, new EnrollmentStore(scope, Change.NONE),
                observer);
        this.allowances = Observed.wrap(Allowances.class, new AllowanceStore(scope), observer);
        this.orphans = Observed.wrap(Orphans.class, new OrphanStore(scope), observer);
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
     * library's history is kept in {@code enrollment_schema_history} and nothing else is touched. A schema that
     * already holds {@code auth_user} or {@code student_courseenrollment} but not that history (an existing Open edX
     * database) is refused with nothing changed: {@link #adopt()} takes such a schema over.
     *
     * <p>Concurrent calls are safe. Flyway's own lock ({@code GET_LOCK}, or on Galera a {@code SELECT ... FOR
     * UPDATE} of its history table) is local to one server, so on a MariaDB Galera cluster (the server has
     * {@code wsrep_on}) two nodes migrating at once would both run the same DDL and leave a failed migration behind;
     * there the call first takes a cluster-wide lock, the table {@code enrollment_migration_lock}, whose
     * {@code CREATE TABLE} Galera runs in total order on every node, so one caller migrates while the others wait
     * (up to 10 minutes) and then find nothing to do. The table is dropped when the migration ends. If a process
     * died holding it, waiting calls fail with a message naming it: drop it once no migration runs.
     *
     * @throws DatabaseException if a migration fails, naming the reason (such as missing DDL rights), or the schema
     *                           must be adopted instead
     */
    public void migrate() {
        DataSource ds = migrationDataSource != null ? migrationDataSource : database.dataSource();
        try {
            MigrationLock.around(ds, database.dialect(), "migrate", MigrationLock.DEFAULT_TIMEOUT,
                    () -> Migrator.migrate(ds, database.dialect()));
            database.preloadOrigin();
        } catch (EnrollmentException e) {
            throw e;
        } catch (RuntimeException e) {   // a pool's or Flyway's own exception never reaches the caller
            throw Failures.translate("migrate", 1, e);
        }
    }

    /**
     * Takes over an existing Open edX database: checks that {@code auth_user} and {@code student_courseenrollment}
     * (and the history and allowance tables, where they exist) have every column the library needs; if anything is
     * missing, changes nothing and names every missing table and column. Otherwise drops the foreign keys from the
     * library's tables to {@code auth_user} (looked up by the database's metadata, since their names are generated)
     * and nothing else, keeps the existing tables, their rows, unique keys and indexes, creates the library's
     * missing tables, and records the migration history so that {@link #migrate()} works from then on. On a schema
     * the library already manages, it only migrates. Needs DDL rights, like {@code migrate()}, and on a Galera
     * cluster takes the same cluster-wide lock.
     *
     * <p>On Open edX: the library then writes Open edX's own {@code student_courseenrollment_history}; the foreign
     * keys are dropped online ({@code ALGORITHM=INPLACE, LOCK=NONE} on MySQL/MariaDB, so the server refuses rather
     * than copying a large table; a {@code lock_timeout} on PostgreSQL); what a mistaken {@code migrate()} left
     * behind (Flyway's table with a failed first migration) is removed first.
     *
     * @throws DatabaseException if something required is missing (nothing changed) or the database fails
     */
    public void adopt() {
        DataSource ds = migrationDataSource != null ? migrationDataSource : database.dataSource();
        try {
            MigrationLock.around(ds, database.dialect(), "adopt", MigrationLock.DEFAULT_TIMEOUT,
                    () -> Adopter.adopt(ds, database.dialect()));
            database.preloadOrigin();
        } catch (EnrollmentException e) {
            throw e;
        } catch (RuntimeException e) {   // a pool's or Flyway's own exception never reaches the caller
            throw Failures.translate("adopt", 1, e);
        }
    }

    /**
     * Reads where the schema stands against this version of the library, from the library's Flyway history,
     * changing nothing; for health checks. Needs only the right to read {@code enrollment_schema_history} (through
     * the main data source, not the migration one).
     *
     * @return the status; {@link SchemaStatus#isCurrent()} tells whether every call can run
     * @throws DatabaseException if the database does not answer
     */
    public SchemaStatus schemaStatus() {
        Migrator.Status s = Migrator.status(database.dataSource(), database.dialect());
        return SchemaStatus.of(s.installed(), s.library(), s.pending(), s.failed());
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
     * Returns the allowances repository (pre-enrollment by email).
     *
     * @return the allowances in {@code student_courseenrollmentallowed}
     */
    public Allowances allowances() {
        return allowances;
    }

    /**
     * Returns the orphan audit and sweep.
     *
     * @return the orphan job
     */
    public Orphans orphans() {
        return orphans;
    }

    /**
     * Runs work in one database transaction: every call on the {@link Transaction}'s repositories runs on one
     * connection and commits when the work returns. If the work throws, everything rolls back and the work's own
     * exception is rethrown unchanged. Listeners hear of the changes after the commit, before this method returns;
     * never after a rollback. Not retried: a deadlock surfaces as a {@link DatabaseException}.
     *
     * <p>Inside an {@link Builder#externalTransactions(ExternalTransactions) external transaction} (a Spring
     * {@code @Transactional} method, with the starter) the work joins it instead, behind a savepoint: nothing commits
     * before the external transaction does, listeners hear of the changes after its commit, and when the work throws
     * only the work's own changes roll back (to the savepoint) and its exception is rethrown unchanged.
     *
     * @param work the work; use only the repositories of the transaction it receives
     * @throws InvalidInputException if work is null
     * @throws DatabaseException     if the transaction cannot begin or commit
     */
    public void transaction(Consumer<Transaction> work) {
        Checks.notNull(work, "work");
        transactionResult(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /**
     * Runs work in one database transaction and returns its result; see {@link #transaction(Consumer)}.
     *
     * @param work the work; use only the repositories of the transaction it receives
     * @param <T>  the result type
     * @return what the work returned, after the commit
     * @throws InvalidInputException if work is null
     * @throws DatabaseException     if the transaction cannot begin or commit
     */
    public <T> T transactionResult(Function<Transaction, T> work) {
        Checks.notNull(work, "work");
        return Observed.observe(observer, "transaction", () -> database.userTransaction(
                session -> work.apply(Observed.wrap(Transaction.class, new TransactionImpl(session), observer))));
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
        private final List<EnrollmentListener> listeners = new ArrayList<>();
        private ExternalTransactions externalTransactions;
        private OperationObserver observer;
        private int maximumPoolSize = DEFAULT_POOL_SIZE;
        private java.time.Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private int retryAttempts = RetryPolicy.DEFAULT.maxAttempts();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private UserLookup userLookup;
        private CourseCapacity capacity;

        private Builder() {
        }

        /**
         * Limits how many active enrollments each course may hold. {@link EnrollmentRepository#enroll} past the
         * limit throws {@link CourseFullException} and writes nothing; {@link EnrollmentRepository#enrollAll} fills
         * up to it and counts the rest in {@link BulkResult#refused()}. Exact under concurrency, without locking any
         * user row; courses the capacity answers empty for pay nothing. See {@link CourseCapacity}. Default: no
         * limit for any course.
         *
         * @param capacity the limits, asked once per call that may activate an enrollment
         * @return this builder
         * @throws InvalidInputException if the capacity is null
         */
        public Builder capacity(CourseCapacity capacity) {
            this.capacity = Checks.notNull(capacity, "capacity");
            return this;
        }

        /**
         * Sets the size of the pool the library creates for {@link #jdbcUrl}: how many operations run at once.
         * Default {@value Enrollments#DEFAULT_POOL_SIZE}. Not allowed with {@link #dataSource}: size your own pool.
         *
         * @param size 1 to 1000
         * @return this builder
         */
        public Builder maximumPoolSize(int size) {
            this.maximumPoolSize = size;
            return this;
        }

        /**
         * Sets how long an operation waits for a connection from the pool the library creates for {@link #jdbcUrl}
         * before it fails with a {@link DatabaseException} naming the pool's size and this timeout: what bounds a
         * call when the pool is exhausted or the database is down. Default 5 seconds.
         *
         * @param timeout 250 ms to 10 minutes
         * @return this builder
         */
        public Builder connectionTimeout(java.time.Duration timeout) {
            this.connectionTimeout = timeout;
            return this;
        }

        /**
         * Sets how many times an idempotent operation is tried when it meets a deadlock or lock-wait timeout (MySQL
         * 1213/1205, PostgreSQL 40P01/40001), with jittered exponential backoff between tries. Caller transactions
         * are never retried. Default 3.
         *
         * @param attempts 1 (no retry) to 10
         * @return this builder
         */
        public Builder retryAttempts(int attempts) {
            this.retryAttempts = attempts;
            return this;
        }

        /**
         * Sets the batch size of bulk work: rows per transaction in {@link EnrollmentRepository#enrollAll},
         * {@link Users#delete} and {@link Orphans#audit()}. Default {@value Enrollments#DEFAULT_BATCH_SIZE}.
         *
         * @param batchSize 1 to {@value Enrollments#MAX_BATCH_SIZE}
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Supplies the check of which user ids exist, for the orphan audit and sweep, when users live in another
         * database or service. Default: {@code auth_user} in this database.
         *
         * @param lookup the batch lookup
         * @return this builder
         */
        public Builder userLookup(UserLookup lookup) {
            this.userLookup = Checks.notNull(lookup, "userLookup");
            return this;
        }

        /**
         * Joins transactions that something else manages on the calling thread (a framework's declarative
         * transactions) whenever one is active; see {@link ExternalTransactions} for what a joined call does.
         * Optional: without it every call runs in a transaction of its own (or in a {@link #transaction}).
         *
         * @param externalTransactions the hook
         * @return this builder
         * @throws InvalidInputException if it is null
         */
        public Builder externalTransactions(ExternalTransactions externalTransactions) {
            this.externalTransactions = Checks.notNull(externalTransactions, "externalTransactions");
            return this;
        }

        /**
         * Reports every repository call (and every {@link Enrollments#transaction}) to an observer, for metrics and
         * traces; see {@link OperationObserver}. Optional: without one, calls are not observed.
         *
         * @param observer the observer
         * @return this builder
         * @throws InvalidInputException if it is null
         */
        public Builder observer(OperationObserver observer) {
            this.observer = Checks.notNull(observer, "observer");
            return this;
        }

        /**
         * Adds a listener for committed changes; may be called several times, and listeners run in the order they
         * were added. See {@link EnrollmentListener} for when and how they run.
         *
         * @param listener the listener
         * @return this builder
         * @throws InvalidInputException if the listener is null
         */
        public Builder listener(EnrollmentListener listener) {
            listeners.add(Checks.notNull(listener, "listener"));
            return this;
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
            if (maximumPoolSize < 1 || maximumPoolSize > 1000) {
                throw new InvalidInputException("maximumPoolSize", "must be between 1 and 1000");
            }
            if (connectionTimeout == null || connectionTimeout.toMillis() < 250
                    || connectionTimeout.compareTo(java.time.Duration.ofMinutes(10)) > 0) {
                throw new InvalidInputException("connectionTimeout", "must be between 250 ms and 10 minutes");
            }
            if (dataSource != null && (maximumPoolSize != DEFAULT_POOL_SIZE
                    || !connectionTimeout.equals(DEFAULT_CONNECTION_TIMEOUT))) {
                throw new InvalidInputException("maximumPoolSize",
                        "and connectionTimeout apply to the pool built from jdbcUrl, not to your own dataSource");
            }
            if (retryAttempts < 1 || retryAttempts > 10) {
                throw new InvalidInputException("retryAttempts", "must be between 1 and 10");
            }
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new InvalidInputException("batchSize", "must be between 1 and " + MAX_BATCH_SIZE);
            }
            if (dataSource == null && jdbcUrl == null) {
                throw new InvalidInputException("dataSource",
                        "must be set: call Builder.dataSource(...) or Builder.jdbcUrl(url, user, password)");
            }
            OwnedPool owned = null;
            DataSource ds = dataSource;
            if (jdbcUrl != null) {
                if (jdbcUrl.isBlank()) {
                    throw new InvalidInputException("jdbcUrl", "must not be empty");
                }
                if (!jdbcUrl.startsWith("jdbc:")) {
                    throw new InvalidInputException("jdbcUrl", "must start with jdbc: (such as "
                            + "jdbc:mysql://127.0.0.1:3306/app or jdbc:h2:mem:app)");
                }
                owned = OwnedPool.create(jdbcUrl, user, password, maximumPoolSize, connectionTimeout);
                ds = owned.dataSource();
            }
            try {
                Dialect dialect = detect(ds);
                RetryPolicy retry = new RetryPolicy(retryAttempts, RetryPolicy.DEFAULT.baseDelayMillis(),
                        RetryPolicy.DEFAULT.maxDelayMillis());
                Database database = new Database(ds, dialect, retry, listeners, batchSize, userLookup,
                        capacity, externalTransactions, observer);
                database.preloadOrigin();
                return new Enrollments(database, migrationDataSource, owned, observer);
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
            } catch (EnrollmentException e) {
                throw e;
            } catch (SQLException | RuntimeException e) {
                // A caller's lazily started pool throws its own runtime exceptions: never let them through.
                throw Failures.translate("build", 1, e);
            }
        }
    }
}
