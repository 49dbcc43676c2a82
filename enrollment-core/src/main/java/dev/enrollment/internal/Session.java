package dev.enrollment.internal;

import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.List;

/**
 * One connection's worth of work: the jOOQ context on it, and the events its changes will fire once it commits.
 * Not thread-safe; lives for one operation, or for one caller's transaction.
 */
public final class Session {
    private static final Values.Factory VALUES = Values.factory();
    private final Database db;
    private DSLContext dsl;   // made on first use: a read on a rendered statement needs none
    private final java.sql.Connection connection;
    private final boolean transactional;
    private final boolean restartable;
    private final List<EnrollmentEvent> events = new ArrayList<>();
    private boolean open = true;
    private Throwable rollbackOnly;

    Session(Database db, java.sql.Connection connection, boolean transactional, boolean restartable) {
        this.db = db;
        this.connection = connection;
        this.transactional = transactional;
        this.restartable = restartable;
    }

    /**
     * Tells whether this session is a transaction of the library's own that the work may {@link #restart()}: not
     * a caller's transaction, whose other work cannot be redone.
     *
     * @return true when {@link #restart()} may be thrown
     */
    public boolean restartable() {
        return restartable;
    }

    /**
     * Returns the exception that rolls this session's transaction back and runs its work again, on a fresh
     * transaction, without counting as a failure (see {@link Transactions.Restart}). Only where {@link #restartable()}.
     *
     * @return the exception to throw
     */
    public RuntimeException restart() {
        if (!restartable) {
            throw new IllegalStateException("a caller's transaction cannot be restarted");
        }
        return new Transactions.Restart();
    }

    /**
     * Returns the jOOQ context on this session's connection.
     *
     * @return the context
     */
    public DSLContext dsl() {
        if (dsl == null) {
            dsl = db.dsl(connection);
        }
        return dsl;
    }

    /**
     * Returns the session's JDBC connection.
     *
     * @return the connection
     */
    public java.sql.Connection connection() {
        return connection;
    }

    /**
     * Returns the database.
     *
     * @return the database this session runs on
     */
    public Database db() {
        return db;
    }

    /**
     * Tells whether statements run inside one multi-statement transaction (rather than autocommit).
     *
     * @return true in a transaction
     */
    public boolean transactional() {
        return transactional;
    }

    /**
     * Records an event, fired after commit.
     *
     * @param type   what happened
     * @param before the row before, null for CREATED
     * @param after  the row after, null for DELETED
     */
    public void emit(EnrollmentEvent.Type type, Enrollment before, Enrollment after) {
        events.add(VALUES.event(type, before, after));
    }

    List<EnrollmentEvent> events() {
        return events;
    }

    /**
     * Marks a caller's transaction as unusable after a library call inside it failed in the database: the server
     * may already have rolled it back (a deadlock) or kept only part of it (a lock-wait timeout), so it must not
     * commit, even if the caller catches the exception and carries on.
     *
     * @param cause the failure
     */
    void rollbackOnly(Throwable cause) {
        if (rollbackOnly == null) {
            rollbackOnly = cause;
        }
    }

    Throwable rollbackOnlyCause() {
        return rollbackOnly;
    }

    boolean isOpen() {
        return open;
    }

    private final List<Runnable> closeWithSession = new ArrayList<>();

    /** Registers a stream's closer, run when the session ends: a stream must not outlive its transaction. */
    void closeWithSession(Runnable closer) {
        closeWithSession.add(closer);
    }

    void close() {
        open = false;
        closeStreams();
    }

    /**
     * Runs work on this session, then closes the streams it opened, whether it returns or throws: MySQL cannot
     * commit (or roll back cleanly) while a streaming result set is open.
     *
     * @param work the work
     * @param <T>  its result
     * @return the work's result
     */
    <T> T apply(java.util.function.Function<Session, T> work) {
        try {
            return work.apply(this);
        } finally {
            closeStreams();
        }
    }

    /** Closes the cursors of the streams opened in this session (they then refuse to go on). */
    void closeStreams() {
        for (Runnable closer : closeWithSession) {
            try {
                closer.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Session.class).debug("could not close a stream", e);
            }
        }
        closeWithSession.clear();
    }

}
