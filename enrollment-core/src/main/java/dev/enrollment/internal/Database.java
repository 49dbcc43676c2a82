package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentException;
import dev.enrollment.EnrollmentListener;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.OperationObserver;
import dev.enrollment.UserAlreadyExistsException;
import dev.enrollment.UserLookup;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Runs the library's operations on a {@link DataSource}: one connection per operation, either in autocommit mode
 * (reads) or in one transaction (writes), with deadlocks and lock-wait timeouts retried a bounded number of times
 * for idempotent operations, events fired to the listeners after commit, and every failure turned into an
 * {@link EnrollmentException}.
 */
public final class Database {
    static {
        QuietJooq.apply();   // before this class first renders with jOOQ
    }

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    /** How many times one operation may restart its transaction (see {@link Session#restart()}). */
    private static final int MAX_RESTARTS = 5;
    /** Rows a streaming query fetches per round trip where the driver supports a positive fetch size. */
    private static final int STREAM_FETCH_SIZE = 1000;

    /** Tables and columns are plain lowercase identifiers, created and queried unquoted in every dialect. */
    static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderNameCase(RenderNameCase.AS_IS)
            .withRenderSchema(false)
            .withRenderCatalog(false)
            .withExecuteLogging(false)
            .withFetchWarnings(false);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final RetryPolicy retry;
    private final List<EnrollmentListener> listeners;
    private final int batchSize;
    private final UserLookup userLookup;
    private final String poolDescription;
    private final Statements statements;
    /** The caller's transaction running on this thread, if any (see {@link #refuseInsideCallerTransaction}). */
    private final ThreadLocal<Session> callerTransaction = new ThreadLocal<>();
    private final dev.enrollment.CourseCapacity capacity;
    private final ExternalTransactions external;
    private final OperationObserver observer;
    /** START TRANSACTION, COMMIT and ROLLBACK as statements (rendered by jOOQ), or null on H2: see explicit(). */
    private final String begin;
    private final String commit;
    private final String rollback;

    /**
     * Creates the runner, with no course capacity.
     *
     * @param dataSource where connections come from
     * @param dialect    the detected dialect
     * @param retry      how deadlocks are retried
     * @param listeners  who hears of committed changes, in order
     * @param batchSize  rows per batch for bulk work (enrollAll, delete, audit)
     * @param userLookup which user ids exist, for orphan work; null for auth_user in this database
     */
    public Database(DataSource dataSource, Dialect dialect, RetryPolicy retry, List<EnrollmentListener> listeners,
                    int batchSize, UserLookup userLookup) {
        this(dataSource, dialect, retry, listeners, batchSize, userLookup, null, null, null);
    }

    /**
     * Creates the runner, with courses' limits, joining external transactions and reporting to an observer.
     *
     * @param dataSource where connections come from
     * @param dialect    the detected dialect
     * @param retry      how deadlocks are retried
     * @param listeners  who hears of committed changes, in order
     * @param batchSize  rows per batch for bulk work (enrollAll, delete, audit)
     * @param userLookup which user ids exist, for orphan work; null for auth_user in this database
     * @param capacity   the courses' limits of active enrollments; null for none
     * @param external   the transactions to join when one is active, or null
     * @param observer   who hears of retries, or null
     */
    public Database(DataSource dataSource, Dialect dialect, RetryPolicy retry, List<EnrollmentListener> listeners,
                    int batchSize, UserLookup userLookup, dev.enrollment.CourseCapacity capacity,
                    ExternalTransactions external, OperationObserver observer) {
        this.capacity = capacity;
        this.external = external;
        this.observer = observer;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.retry = retry;
        this.listeners = List.copyOf(listeners);
        this.batchSize = batchSize;
        this.userLookup = userLookup;
        this.poolDescription = describePool(dataSource);
        this.statements = new Statements(dialect);
        if (dialect == Dialect.H2) {
            this.begin = null;
            this.commit = null;
            this.rollback = null;
        } else {
            DSLContext render = DSL.using(dialect.sqlDialect(), SETTINGS);
            this.begin = render.render(render.startTransaction());
            this.commit = render.render(render.commit());
            this.rollback = render.render(render.rollback());
        }
    }

    Statements statements() {
        return statements;
    }

    /** Database identities, interned: every instance on one database holds the same object. */
    private static final java.util.concurrent.ConcurrentMap<String, Object> ORIGINS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Object origin;

    /**
     * Returns this database's identity, which every saved User read or written here carries: the id migrate() or
     * adopt() wrote once into {@code enrollment_database}, interned, so that instances on the same database (two
     * pools, a DML and a DDL account, a replica and its primary) share it and a check is one reference comparison.
     * Read on first use (one query, once), since build() does not touch the schema.
     *
     * @return the identity
     * @throws DatabaseException if it cannot be read (an unmigrated schema: the message says to run migrate())
     */
    public Object origin() {
        Object o = origin;
        return o != null ? o : loadOrigin();
    }

    /**
     * Reads the identity, if not known yet, before an operation takes its connection: read inside the operation's
     * own transaction, it would need a second connection while holding the first (a pool of one would wait out its
     * timeout). One volatile read once known.
     */
    private void knowOrigin() {
        if (origin == null) {
            preloadOrigin();
        }
    }

    /**
     * Reads the database's identity now, if the schema has it, so that no later call pays for it (or fails, under
     * a pool that is exhausted, for a reason of its own); on an unmigrated schema it is read on first use instead.
     * Reads only: build() still changes nothing.
     */
    public void preloadOrigin() {
        try {
            origin();
        } catch (EnrollmentException e) {
            LOG.debug("the database's identity is not readable yet (an unmigrated schema?); read on first use", e);
        }
    }

    private synchronized Object loadOrigin() {
        if (origin == null) {
            var t = dev.enrollment.schema.Tables.ENROLLMENT_DATABASE;
            String id = run("identity", true, false, false,
                    s -> s.dsl().select(t.DATABASE_ID).from(t).limit(1).fetchOne(r -> r.value1()));
            if (id == null) {
                throw new DatabaseException("identity", 1, "enrollment_database holds no row: run migrate() (or "
                        + "adopt()) to give this database its identity", null);
            }
            origin = ORIGINS.computeIfAbsent(id.trim(), Identity::new);
        }
        return origin;
    }

    /** A database's identity: a random id, compared by reference once interned. */
    private static final class Identity {
        private final String id;

        Identity(String id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "database " + id;
        }
    }

    /**
     * Returns the course's limit of active enrollments, asking the caller's {@link dev.enrollment.CourseCapacity}.
     *
     * @param course the course
     * @return the limit, or empty when the course has none (or no capacity is configured)
     * @throws dev.enrollment.InvalidInputException if the capacity returns null or a negative limit, or throws
     */
    public java.util.OptionalLong maxActive(dev.enrollment.CourseKey course) {
        if (capacity == null) {
            return java.util.OptionalLong.empty();
        }
        java.util.OptionalLong max;
        try {
            max = capacity.maxActive(course);
        } catch (RuntimeException e) {
            dev.enrollment.InvalidInputException wrapped = new dev.enrollment.InvalidInputException("capacity",
                    "maxActive threw " + e.getClass().getName() + " (see the suppressed exception); nothing written");
            wrapped.addSuppressed(e);
            throw wrapped;
        }
        if (max == null) {
            throw new dev.enrollment.InvalidInputException("capacity",
                    "maxActive must not return null (return OptionalLong.empty() for no limit)");
        }
        if (max.isPresent() && max.getAsLong() < 0) {
            throw new dev.enrollment.InvalidInputException("capacity", "maxActive must not be negative");
        }
        return max;
    }

    /** "pool 'name' of N connections, T ms connection timeout" for a HikariCP pool; null for another DataSource. */
    private static String describePool(DataSource ds) {
        try {
            return OwnedPool.describe(ds);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not describe the data source", e);
            return null;
        }
    }

    /**
     * Turns a failure into the library's exception, describing this database's pool where that helps.
     *
     * @param operation the operation
     * @param attempts  the attempts made
     * @param t         the failure
     * @return the exception
     */
    public EnrollmentException translate(String operation, int attempts, Throwable t) {
        return Failures.translate(operation, attempts, t, poolDescription);
    }

    /**
     * Returns the batch size for bulk work.
     *
     * @return rows per batch
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Tells whether any listener is registered, so work may skip building the values of events nobody hears.
     *
     * @return true when events are delivered
     */
    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * Returns the caller's user lookup.
     *
     * @return the lookup, or null for auth_user in this database
     */
    public UserLookup userLookup() {
        return userLookup;
    }

    /**
     * Returns the dialect.
     *
     * @return the detected dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Returns the data source.
     *
     * @return the data source operations run on
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Returns a timestamp to write, as UTC with microseconds.
     *
     * <p>On MySQL and MariaDB it is bound as text and cast to {@code DATETIME(6)}: mysql-connector-j reads MariaDB's
     * version as 5.5.5 (the replication prefix) and then truncates fractional seconds of bound timestamps.
     *
     * @param instant the time
     * @return a field holding the bound value
     */
    /**
     * Formats a time as the text that MySQL/MariaDB statements cast to {@code DATETIME(6)} (see {@link #timestamp}).
     *
     * @param instant the time
     * @return UTC, microseconds, {@code yyyy-MM-dd HH:mm:ss.SSSSSS}
     */
    static String mysqlText(Instant instant) {
        return MICROS.format(LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
    }

    public Field<LocalDateTime> timestamp(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        if (dialect.isMySqlFamily()) {
            return DSL.cast(DSL.val(MICROS.format(utc)), SQLDataType.LOCALDATETIME(6));
        }
        return DSL.val(utc, SQLDataType.LOCALDATETIME(6));
    }

    /**
     * Makes a jOOQ context on one connection, rendering unquoted lowercase names.
     *
     * @param connection the connection
     * @return the context
     */
    public DSLContext dsl(Connection connection) {
        return DSL.using(connection, dialect.sqlDialect(), SETTINGS);
    }

    /**
     * Runs reads in autocommit mode, retried after a deadlock.
     *
     * @param operation the operation's name, for messages
     * @param work      the work
     * @param <T>       its result
     * @return the work's result
     */
    public <T> T autocommit(String operation, Function<Session, T> work) {
        refuseInsideCallerTransaction(operation);
        knowOrigin();
        return run(operation, true, false, false, work);
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws (the library's own
     * exceptions are rethrown unchanged); listeners hear of its events after the commit.
     *
     * @param operation  the operation's name, for messages
     * @param idempotent whether the whole transaction may run again after a deadlock
     * @param work       the work
     * @param <T>        its result
     * @return the work's result
     */
    public <T> T transaction(String operation, boolean idempotent, Function<Session, T> work) {
        refuseInsideCallerTransaction(operation);
        knowOrigin();
        return run(operation, idempotent, true, false, work);
    }

    /**
     * Runs a caller's work in one transaction. Never retried (the work may have other effects); whatever the work
     * throws is rethrown unchanged after rollback; failures to begin or commit become the library's exceptions.
     *
     * @param work the caller's work
     * @param <T>  its result
     * @return the work's result
     */
    public <T> T userTransaction(Function<Session, T> work) {
        knowOrigin();
        return run("transaction", false, true, true, work);
    }

    /**
     * Refuses a top-level operation (its own connection) on a thread that is inside a caller's transaction of this
     * database: it would wait for that transaction's own locks (150 s of lock-wait retries) or drain the pool.
     */
    private void refuseInsideCallerTransaction(String operation) {
        if (callerTransaction.get() != null) {
            throw new dev.enrollment.InvalidInputException("enrollments", "were called at the top level ("
                    + operation + ") inside Enrollments.transaction(...) on the same thread: use the Transaction's "
                    + "repositories (tx.users(), tx.enrollments(), tx.allowances()) so the call joins it");
        }
    }

    /** Carries a caller's own exception past the translation of database failures. */
    private static final class CallerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallerFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    private <T> T run(String operation, boolean idempotent, boolean transactional, boolean callerWork,
                      Function<Session, T> work) {
        if (external != null) {
            ExternalTransactions.Joined joined = join(operation);
            if (joined != null) {
                return joined(operation, callerWork, joined, work);
            }
        }
        int restarts = 0;
        for (int attempt = 1; ; attempt++) {
            Session session;
            T result;
            try {
                Connection c = dataSource.getConnection();
                session = new Session(this, c, transactional,
                        transactional && !callerWork && restarts < MAX_RESTARTS);
                try {
                    if (callerWork) {
                        callerTransaction.set(session);
                    }
                    try {
                        result = once(c, transactional, session, work, callerWork);
                    } finally {
                        if (callerWork) {
                            callerTransaction.remove();
                        }
                    }
                } catch (Throwable t) {
                    session.close();
                    closeAfterFailure(c, t);
                    throw t;
                }
                session.close();
                closeAfterSuccess(c);   // committed: a failure to close must not turn success into an error
            } catch (Session.Restart e) {
                restarts++;
                attempt--;
                continue;
            } catch (CallerFailure e) {
                throw sneaky(e.getCause());
            } catch (EnrollmentException e) {
                throw e;
            } catch (RuntimeException | SQLException e) {
                if (idempotent && attempt < retry.maxAttempts() && Failures.isRetryable(e)) {
                    long pause = retry.pauseMillis(attempt, ThreadLocalRandom.current());
                    LOG.debug("{}: deadlock or lock-wait timeout on attempt {} of {}; retrying in {} ms",
                            operation, attempt, retry.maxAttempts(), pause);
                    if (!sleep(pause)) {
                        throw translate(operation, attempt, e);
                    }
                    if (observer != null) {
                        Observed.retried();
                    }
                    continue;
                }
                throw translate(operation, attempt, e);
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                throw translate(operation, attempt, t);
            }
            fire(session.events());
            return result;
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    private static void closeAfterSuccess(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not close a connection after its work committed", e);
        }
    }

    private static void closeAfterFailure(Connection c, Throwable failure) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private <T> T once(Connection c, boolean transactional, Session session, Function<Session, T> work,
                       boolean callerWork) throws SQLException {
        boolean autoCommit = c.getAutoCommit();   // the pool's and the driver's cached state: no round trip
        if (transactional && autoCommit && begin != null && !callerWork) {
            return explicit(c, session, work);
        }
        if (transactional && autoCommit) {
            c.setAutoCommit(false);
        }
        boolean manual = transactional || !autoCommit;
        try {
            T result;
            try {
                result = work.apply(session);
                session.closeStreams();   // MySQL cannot commit while a streaming result set is open
            } catch (Throwable e) {
                session.closeStreams();
                // Any throwable, checked ones thrown sneakily included: roll back before autocommit is restored,
                // since restoring it would commit.
                if (manual) {
                    rollback(c, e);
                }
                if (callerWork) {
                    throw new CallerFailure(e);
                }
                if (e instanceof Error) {
                    throw (Error) e;
                }
                if (e instanceof RuntimeException) {
                    throw (RuntimeException) e;
                }
                throw new CallerFailure(e);
            }
            Throwable unusable = session.rollbackOnlyCause();
            if (unusable != null) {
                rollback(c, unusable);
                throw unusable(unusable);
            }
            if (manual) {
                try {
                    c.commit();
                } catch (SQLException e) {
                    rollback(c, e);
                    throw e;
                }
            }
            return result;
        } finally {
            if (transactional && autoCommit) {
                restoreAutoCommit(c);
            }
        }
    }

    private static DatabaseException unusable(Throwable cause) {
        return new DatabaseException("transaction", 1, "transaction rolled back: a statement inside it (a library "
                + "call, or one of yours on Transaction.connection()) failed in a way that rolled it back or left it "
                + "unusable, so nothing of it was committed and no listener was told ("
                + (Failures.isRetryable(cause) ? "deadlock or lock-wait timeout: " : "") + Failures.describe(cause)
                + ")", Failures.sqlException(cause) != null ? Failures.sqlException(cause) : cause);
    }

    /** Asks the hook for the thread's external transaction; its own failures become the library's. */
    private ExternalTransactions.Joined join(String operation) {
        try {
            return external.join();
        } catch (RuntimeException e) {
            throw translate(operation, 1, e);
        }
    }

    /**
     * The library's own transaction on a connection in autocommit mode (MySQL, MariaDB, PostgreSQL): {@code START
     * TRANSACTION} ... {@code COMMIT} as statements, the connection staying in autocommit mode throughout. Two round
     * trips of transaction control instead of {@code setAutoCommit(false)}, {@code commit()} and
     * {@code setAutoCommit(true)}'s three, and nothing for the pool to reset when the connection goes back. Never
     * for a caller's transaction, whose code may look at or change the connection's autocommit state.
     */
    private <T> T explicit(Connection c, Session session, Function<Session, T> work) throws SQLException {
        try {
            execute(c, begin);
        } catch (SQLException e) {
            if (session.restartable() && String.valueOf(e.getSQLState()).startsWith("08")) {
                // The pool handed out a connection that is already dead (aborted after a failed ROLLBACK, or
                // killed while idle): nothing was done on it, so take another, whatever the operation.
                throw session.restart();
            }
            throw e;
        }
        T result;
        try {
            result = work.apply(session);
            session.closeStreams();   // MySQL cannot commit while a streaming result set is open
        } catch (Throwable e) {
            session.closeStreams();
            rollbackStatement(c, e);
            if (e instanceof Error) {
                throw (Error) e;
            }
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new CallerFailure(e);
        }
        try {
            execute(c, commit);
        } catch (SQLException e) {
            rollbackStatement(c, e);
            throw e;
        }
        return result;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Runs one call inside an external transaction, on its connection: never committed, rolled back or retried
     * here; events wait for the transaction's commit; a failure in the database marks it rollback-only, as a call
     * inside {@link #userTransaction} does. A caller's work ({@code Enrollments.transaction}) runs behind a
     * savepoint, rolled back to when the work throws.
     */
    private <T> T joined(String operation, boolean callerWork, ExternalTransactions.Joined joined,
                         Function<Session, T> work) {
        Session session = null;
        try {
            Connection c = joined.connection();
            session = new Session(this, c, true, false);
            java.sql.Savepoint savepoint = callerWork ? c.setSavepoint() : null;
            T result;
            if (callerWork) {
                callerTransaction.set(session);
            }
            try {
                result = work.apply(session);
                session.closeStreams();
            } catch (Throwable e) {
                session.closeStreams();
                if (!callerWork) {
                    throw e;
                }
                Throwable unusable = session.rollbackOnlyCause();
                if (unusable != null) {
                    joined.setRollbackOnly(unusable(unusable));
                } else {
                    try {
                        c.rollback(savepoint);
                    } catch (SQLException | RuntimeException rollbackFailure) {
                        e.addSuppressed(rollbackFailure);
                        joined.setRollbackOnly(unusable(translate(operation, 1, rollbackFailure)));
                    }
                }
                throw new CallerFailure(e);
            } finally {
                if (callerWork) {
                    callerTransaction.remove();
                }
            }
            Throwable unusable = session.rollbackOnlyCause();
            if (unusable != null) {
                DatabaseException failure = unusable(unusable);
                joined.setRollbackOnly(failure);
                throw failure;
            }
            if (savepoint != null) {
                releaseSavepoint(c, savepoint);
            }
            List<EnrollmentEvent> events = List.copyOf(session.events());
            if (!events.isEmpty()) {
                joined.afterCommit(() -> fire(events));
            }
            return result;
        } catch (CallerFailure e) {
            throw sneaky(e.getCause());
        } catch (UserAlreadyExistsException e) {
            // Only a refusal by a failed statement (its SQLException kept as the cause) aborted a PostgreSQL
            // transaction; users are inserted with ON CONFLICT DO NOTHING, which fails nothing.
            if (dialect == Dialect.POSTGRES && e.getCause() instanceof SQLException) {
                joined.setRollbackOnly(unusable(e));
            }
            throw e;
        } catch (EnrollmentException e) {
            throw e;
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            EnrollmentException translated = translate(operation, 1, t);
            joined.setRollbackOnly(unusable(translated));
            throw translated;
        } finally {
            if (session != null) {
                session.close();
            }
            joined.release();
        }
    }

    private static void releaseSavepoint(Connection c, java.sql.Savepoint savepoint) {
        try {
            c.releaseSavepoint(savepoint);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not release a savepoint; it ends with its transaction", e);
        }
    }

    /**
     * Rolls back with a statement. If even that fails, the connection may still hold an open transaction that the
     * pool (which sees autocommit mode) would not roll back: close the physical connection rather than return it.
     */
    private void rollbackStatement(Connection c, Throwable failure) {
        try {
            execute(c, rollback);
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException abortFailure) {
                failure.addSuppressed(abortFailure);
            }
        }
    }

    private void fire(List<EnrollmentEvent> events) {
        for (EnrollmentEvent event : events) {
            for (EnrollmentListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    LOG.warn("enrollment listener {} threw on {} {}; the change stays committed", listener,
                            event.type(), event.after().or(event::before).map(e -> e.id()).orElse(0L), t);
                }
            }
        }
    }

    /**
     * Streams a query's rows on a connection of its own, released when the stream is closed or exhausted.
     *
     * @param operation the operation's name
     * @param query     the query on a context
     * @param mapper    row to value
     * @param <R>       the record type
     * @param <T>       the value type
     * @return the stream
     */
    <R extends Record, T> Stream<T> stream(String operation, Function<DSLContext, ResultQuery<R>> query,
                                           Function<R, T> mapper) {
        refuseInsideCallerTransaction(operation);
        knowOrigin();
        if (external != null) {
            ExternalTransactions.Joined joined = join(operation);
            if (joined != null) {
                return streamJoined(operation, joined, query, mapper);
            }
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            // PostgreSQL streams with a cursor only inside a transaction; the read is rolled back at the end.
            boolean ownTransaction = dialect == Dialect.POSTGRES && c.getAutoCommit();
            if (ownTransaction) {
                c.setAutoCommit(false);
            }
            Connection connection = c;
            // A stream its caller never closes must not pin a connection forever: when it becomes unreachable, a
            // Cleaner closes it and logs where it was opened (as Jdbi's leak checker does).
            Throwable openedAt = new Throwable(operation + " stream opened here");
            AtomicBoolean released = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Runnable> closer = new java.util.concurrent.atomic.AtomicReference<>();
            Stream<T> stream = streamOn(operation, dsl(c), query, mapper, () -> {
                released.set(true);
                release(connection, ownTransaction);
            }, () -> true, closer::set);
            // The Cleaner's action must not reach the stream (or it would never become unreachable): it holds only
            // the cursor's closer and the released flag.
            Runnable close = closer.get();
            java.lang.ref.Cleaner.Cleanable cleanable = CLEANER.register(stream, () -> {
                if (!released.get()) {
                    LOG.warn("a {} stream was never closed: its cursor and connection are released now; close it "
                            + "(try-with-resources) where it was opened", operation, openedAt);
                    close.run();
                }
            });
            return stream.onClose(cleanable::clean);
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw translate(operation, 1, e);
        }
    }

    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /** Streams on an external transaction's connection, until the stream is closed or the transaction is ending. */
    private <R extends Record, T> Stream<T> streamJoined(String operation, ExternalTransactions.Joined joined,
                                                         Function<DSLContext, ResultQuery<R>> query,
                                                         Function<R, T> mapper) {
        AtomicBoolean over = new AtomicBoolean();
        try {
            return streamOn(operation, dsl(joined.connection()), query, mapper, joined::release, () -> !over.get(),
                    closer -> joined.beforeCompletion(() -> {
                        over.set(true);
                        closer.run();
                    }));
        } catch (EnrollmentException e) {
            joined.setRollbackOnly(unusable(e));
            throw e;
        } catch (RuntimeException e) {
            joined.release();
            EnrollmentException translated = translate(operation, 1, e);
            joined.setRollbackOnly(unusable(translated));
            throw translated;
        }
    }

    private static void release(Connection c, boolean ownTransaction) {
        try {
            if (ownTransaction) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            LOG.debug("could not end a streaming read", e);
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("could not close a streaming connection", e);
            }
        }
    }

    /**
     * Streams a query's rows on a given context. The cursor (and whatever {@code onClose} releases) is closed when
     * the stream is closed or exhausted, whichever comes first.
     */
    <R extends Record, T> Stream<T> streamOn(String operation, DSLContext dsl,
                                             Function<DSLContext, ResultQuery<R>> query, Function<R, T> mapper,
                                             Runnable onClose, java.util.function.BooleanSupplier alive,
                                             Consumer<Runnable> registerCloser) {
        // MySQL streams row by row only with Integer.MIN_VALUE; elsewhere a positive size fetches in chunks.
        int fetchSize = dialect.isMySqlFamily() ? Integer.MIN_VALUE : STREAM_FETCH_SIZE;
        Cursor<R> cursor;
        try {
            cursor = query.apply(dsl).fetchSize(fetchSize).fetchLazy();
        } catch (RuntimeException e) {
            onClose.run();
            throw translate(operation, 1, e);
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                try {
                    cursor.close();
                } finally {
                    onClose.run();
                }
            }
        };
        registerCloser.accept(close);
        Iterator<R> it = cursor.iterator();
        Spliterator<T> spliterator = new Spliterators.AbstractSpliterator<T>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super T> action) {
                if (!alive.getAsBoolean()) {
                    throw new dev.enrollment.InvalidInputException("transaction",
                            "is over: consume a stream from its repositories inside the work");
                }
                if (closed.get()) {
                    return false;
                }
                R record;
                try {
                    if (!it.hasNext()) {
                        close.run();
                        return false;
                    }
                    record = it.next();
                } catch (DataAccessException e) {
                    close.run();
                    throw translate(operation, 1, e);
                }
                try {
                    action.accept(mapper.apply(record));
                } catch (RuntimeException | Error e) {
                    // A failing mapper (or the caller's action): the stream cannot go on, so the cursor (and a
                    // top-level stream's connection) is released now, not whenever the stream is closed, if ever.
                    close.run();
                    throw e;
                }
                return true;
            }
        };
        return StreamSupport.stream(spliterator, false).onClose(close);
    }

    /** A failure here must not hide the work's own outcome; a broken connection is evicted by the pool anyway. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not restore autocommit on a connection", e);
        }
    }

    private static void rollback(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
