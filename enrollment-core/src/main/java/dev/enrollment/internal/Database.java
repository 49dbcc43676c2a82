package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentException;
import dev.enrollment.EnrollmentListener;
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
    /** START TRANSACTION, COMMIT and ROLLBACK as statements (rendered by jOOQ), or null on H2: see explicit(). */
    private final String begin;
    private final String commit;
    private final String rollback;

    /**
     * Creates the runner.
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

    /** "pool 'name' of N connections, T ms connection timeout" for a HikariCP pool; null for another DataSource. */
    private static String describePool(DataSource ds) {
        try {
            if (ds.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)) {
                com.zaxxer.hikari.HikariDataSource h = ds.unwrap(com.zaxxer.hikari.HikariDataSource.class);
                return "pool '" + h.getPoolName() + "' of " + h.getMaximumPoolSize() + " connections, "
                        + h.getConnectionTimeout() + " ms connection timeout";
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not describe the data source", e);
        }
        return null;
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
        return run("transaction", false, true, true, work);
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
        int restarts = 0;
        for (int attempt = 1; ; attempt++) {
            Session session;
            T result;
            try {
                Connection c = dataSource.getConnection();
                session = new Session(this, c, transactional,
                        transactional && !callerWork && restarts < MAX_RESTARTS);
                try {
                    result = once(c, transactional, session, work, callerWork);
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
                throw new DatabaseException("transaction", 1, "transaction rolled back: a call inside it failed "
                        + "in the database and left it unusable, so nothing of it was committed (" 
                        + unusable.getMessage() + ")", unusable);
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

    /**
     * The library's own transaction on a connection in autocommit mode (MySQL, MariaDB, PostgreSQL): {@code START
     * TRANSACTION} ... {@code COMMIT} as statements, the connection staying in autocommit mode throughout. Two round
     * trips of transaction control instead of {@code setAutoCommit(false)}, {@code commit()} and
     * {@code setAutoCommit(true)}'s three, and nothing for the pool to reset when the connection goes back. Never
     * for a caller's transaction, whose code may look at or change the connection's autocommit state.
     */
    private <T> T explicit(Connection c, Session session, Function<Session, T> work) throws SQLException {
        execute(c, begin);
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
        Connection c = null;
        try {
            c = dataSource.getConnection();
            // PostgreSQL streams with a cursor only inside a transaction; the read is rolled back at the end.
            boolean ownTransaction = dialect == Dialect.POSTGRES && c.getAutoCommit();
            if (ownTransaction) {
                c.setAutoCommit(false);
            }
            Connection connection = c;
            return streamOn(operation, dsl(c), query, mapper, () -> release(connection, ownTransaction), () -> true,
                    closer -> { });
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
                action.accept(mapper.apply(record));
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
