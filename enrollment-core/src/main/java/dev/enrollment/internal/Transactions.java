package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The lifecycle of the library's transactions: one connection per operation, either in autocommit mode (reads) or
 * in one transaction (writes); deadlocks and lock-wait timeouts retried a bounded number of times for idempotent
 * operations; a transaction restarted at once when its work asks for it ({@link Restart}); a transaction made
 * rollback-only when a statement inside it failed in a way that rolled it back; events fired to the listeners only
 * after the commit; every failure turned into an {@link EnrollmentException}. Inside an external transaction (Spring's)
 * the work joins it instead ({@link JoinedTransaction}).
 */
final class Transactions {
    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
    /** How many times one operation may restart its transaction (see {@link Restart}). */
    private static final int MAX_RESTARTS = 5;

    private final Database db;
    private final RetryPolicy retry;
    private final Listeners listeners;
    private final ExternalTransactions external;
    private final boolean observed;
    /** The caller's transaction running on this thread, if any (see {@link #refuseInsideCallerTransaction}). */
    private final ThreadLocal<Session> callerTransaction = new ThreadLocal<>();
    /** The library's own transactions as statements, or null on H2 (see {@link StatementTransaction}). */
    private final StatementTransaction statements;

    Transactions(Database db, RetryPolicy retry, Listeners listeners, ExternalTransactions external,
                 boolean observed) {
        this.db = db;
        this.retry = retry;
        this.listeners = listeners;
        this.external = external;
        this.observed = observed;
        this.statements = db.dialect() == Dialect.H2 ? null : new StatementTransaction(db.dialect());
    }

    /**
     * Thrown by work that wants its transaction rolled back and run again at once, on a fresh transaction, without
     * counting as a failure: on InnoDB, an insert that met an existing row holds a shared lock on it, and upgrading
     * that lock to an exclusive one deadlocks with every other caller doing the same; a new transaction locks the row
     * exclusively at once. Made by {@link Session#restart()}, only where {@link Session#restartable()}.
     */
    static final class Restart extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Restart() {
            super("restart", null, false, false);
        }
    }

    /** Carries a caller's own exception past the translation of database failures. */
    static final class CallerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallerFailure(Throwable cause) {
            super(null, cause, false, false);
        }
    }

    /**
     * Runs reads in autocommit mode, retried after a deadlock.
     *
     * @param operation the operation's name, for messages
     * @param work      the work
     * @param <T>       its result
     * @return the work's result
     */
    <T> T autocommit(String operation, Function<Session, T> work) {
        refuseInsideCallerTransaction(operation);
        db.identity().preload();
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
    <T> T write(String operation, boolean idempotent, Function<Session, T> work) {
        refuseInsideCallerTransaction(operation);
        db.identity().preload();
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
    <T> T caller(Function<Session, T> work) {
        db.identity().preload();
        return run("transaction", false, true, true, work);
    }

    /** A retried autocommit read of the library's own, at any time (the database's identity). */
    <T> T internalRead(String operation, Function<Session, T> work) {
        return run(operation, true, false, false, work);
    }

    /**
     * Refuses a top-level operation (its own connection) on a thread that is inside a caller's transaction of this
     * database: it would wait for that transaction's own locks (150 s of lock-wait retries) or drain the pool.
     *
     * @param operation the operation's name
     */
    void refuseInsideCallerTransaction(String operation) {
        if (callerTransaction.get() != null) {
            throw new InvalidInputException("enrollments", "were called at the top level ("
                    + operation + ") inside Enrollments.transaction(...) on the same thread: use the Transaction's "
                    + "repositories (tx.users(), tx.enrollments(), tx.allowances()) so the call joins it");
        }
    }

    /** Marks the thread as running a caller's transaction on the session, or (null) as no longer doing so. */
    void callerTransaction(Session session) {
        if (session == null) {
            callerTransaction.remove();
        } else {
            callerTransaction.set(session);
        }
    }

    /**
     * Asks the hook for the thread's external transaction; its own failures become the library's.
     *
     * @param operation the operation's name
     * @return the joined transaction, or null when there is none to join
     */
    ExternalTransactions.Joined join(String operation) {
        if (external == null) {
            return null;
        }
        try {
            return external.join();
        } catch (RuntimeException e) {
            throw db.translate(operation, 1, e);
        }
    }

    private <T> T run(String operation, boolean idempotent, boolean transactional, boolean callerWork,
                      Function<Session, T> work) {
        ExternalTransactions.Joined joined = join(operation);
        if (joined != null) {
            return new JoinedTransaction(db, this, listeners, joined).run(operation, callerWork, work);
        }
        int restarts = 0;
        for (int attempt = 1; ; attempt++) {
            Session session;
            T result;
            try {
                Connection c = db.dataSource().getConnection();
                session = new Session(db, c, transactional, transactional && !callerWork && restarts < MAX_RESTARTS);
                try {
                    if (callerWork) {
                        callerTransaction(session);
                    }
                    try {
                        result = once(c, transactional, session, work, callerWork);
                    } finally {
                        if (callerWork) {
                            callerTransaction(null);
                        }
                    }
                } catch (Throwable t) {
                    session.close();
                    close(c, t);
                    throw t;
                }
                session.close();
                close(c, null);   // committed: a failure to close must not turn success into an error
            } catch (Restart e) {
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
                        throw db.translate(operation, attempt, e);
                    }
                    if (observed) {
                        Observed.retried();
                    }
                    continue;
                }
                throw db.translate(operation, attempt, e);
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                throw db.translate(operation, attempt, t);
            }
            listeners.fire(session.events());
            return result;
        }
    }

    private <T> T once(Connection c, boolean transactional, Session session, Function<Session, T> work,
                       boolean callerWork) throws SQLException {
        boolean autoCommit = c.getAutoCommit();   // the pool's and the driver's cached state: no round trip
        if (transactional && autoCommit && statements != null && !callerWork) {
            return statements.run(c, session, work);
        }
        if (transactional && autoCommit) {
            c.setAutoCommit(false);
        }
        boolean manual = transactional || !autoCommit;
        try {
            T result;
            try {
                result = session.apply(work);
            } catch (Throwable e) {
                // Any throwable, checked ones thrown sneakily included: roll back before autocommit is restored,
                // since restoring it would commit.
                if (manual) {
                    rollback(c, e);
                }
                throw callerWork ? new CallerFailure(e) : rethrowable(e);
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

    /** An unchecked throwable as it is; a checked one (thrown sneakily) carried as the caller's. */
    static RuntimeException rethrowable(Throwable e) {
        if (e instanceof Error) {
            throw (Error) e;
        }
        return e instanceof RuntimeException ? (RuntimeException) e : new CallerFailure(e);
    }

    /**
     * The failure of a transaction that a statement inside it left unusable: nothing of it committed, nobody told.
     *
     * @param cause what failed
     * @return the exception to throw
     */
    static DatabaseException unusable(Throwable cause) {
        return new DatabaseException("transaction", 1, "transaction rolled back: a statement inside it (a library "
                + "call, or one of yours on Transaction.connection()) failed in a way that rolled it back or left it "
                + "unusable, so nothing of it was committed and no listener was told ("
                + (Failures.isRetryable(cause) ? "deadlock or lock-wait timeout: " : "") + Failures.describe(cause)
                + ")", Failures.sqlException(cause) != null ? Failures.sqlException(cause) : cause);
    }

    /** Throws any throwable, checked ones included, without declaring it. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** Closes a connection; after a failure, a failure to close is added to it, after success only logged. */
    private static void close(Connection c, Throwable failure) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                LOG.debug("could not close a connection after its work committed", e);
            }
        }
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
