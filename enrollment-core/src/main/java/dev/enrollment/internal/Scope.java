package dev.enrollment.internal;

import dev.enrollment.EnrollmentException;
import dev.enrollment.InvalidInputException;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;

import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Where a repository's operations run: at the top level, each on its own connection (reads in autocommit, writes in
 * their own transaction, deadlocks retried), or inside a caller's transaction, on its connection.
 */
public final class Scope {
    private final Database db;
    private final Session session;   // null at the top level

    private Scope(Database db, Session session) {
        this.db = db;
        this.session = session;
    }

    /**
     * The top-level scope of a database.
     *
     * @param db the database
     * @return the scope
     */
    public static Scope top(Database db) {
        return new Scope(db, null);
    }

    /**
     * The scope of a caller's transaction.
     *
     * @param session the transaction's session
     * @return the scope
     */
    public static Scope in(Session session) {
        return new Scope(session.db(), session);
    }

    /**
     * Returns the database.
     *
     * @return the database
     */
    public Database db() {
        return db;
    }

    /**
     * Tells whether operations run at the top level, each in a transaction of its own that the library may retry
     * (rather than inside a caller's transaction, which it never retries).
     *
     * @return true at the top level
     */
    public boolean topLevel() {
        return session == null;
    }

    /**
     * Runs a read: autocommit at the top level.
     *
     * @param operation the operation's name
     * @param work      the work
     * @param <T>       its result
     * @return the result
     */
    public <T> T read(String operation, Function<Session, T> work) {
        return session == null ? db.transactions().autocommit(operation, work) : inline(operation, work);
    }

    /**
     * Runs a write: its own transaction at the top level, committed before events fire.
     *
     * @param operation  the operation's name
     * @param idempotent whether it may run again after a deadlock
     * @param work       the work
     * @param <T>        its result
     * @return the result
     */
    public <T> T write(String operation, boolean idempotent, Function<Session, T> work) {
        return session == null ? db.transactions().write(operation, idempotent, work) : inline(operation, work);
    }

    /**
     * Streams a query's rows from the server.
     *
     * @param operation the operation's name
     * @param query     the query on a context
     * @param mapper    row to value
     * @param <R>       the record type
     * @param <T>       the value type
     * @return the stream; closing it releases the cursor (and, at the top level, the connection)
     */
    public <R extends Record, T> Stream<T> stream(String operation, Function<DSLContext, ResultQuery<R>> query,
                                                  Function<R, T> mapper) {
        if (session == null) {
            return db.streams().top(operation, query, mapper);
        }
        checkOpen();
        return db.streams().in(operation, session, query, mapper);
    }

    private <T> T inline(String operation, Function<Session, T> work) {
        checkOpen();
        try {
            return work.apply(session);
        } catch (dev.enrollment.DatabaseException e) {
            // The database failed part-way (a delete a foreign key refused after other deletes, say): what the
            // call did must not commit with the caller's transaction. (A refusal of the library's own, with no
            // SQLException behind it, wrote nothing and leaves the transaction usable.)
            if (e.getCause() instanceof java.sql.SQLException) {
                session.rollbackOnly(e);
            }
            throw e;
        } catch (dev.enrollment.UserAlreadyExistsException e) {
            // Refused before writing, the transaction is usable; refused by a failed statement (its SQLException
            // kept as the cause), PostgreSQL has aborted it.
            if (e.getCause() instanceof java.sql.SQLException && db.dialect() == Dialect.POSTGRES) {
                session.rollbackOnly(e);
            }
            throw e;
        } catch (EnrollmentException e) {
            throw e;
        } catch (RuntimeException e) {
            EnrollmentException translated = db.translate(operation, 1, e);
            session.rollbackOnly(translated);
            throw translated;
        }
    }

    private void checkOpen() {
        if (!session.isOpen()) {
            throw new InvalidInputException("transaction", "is over: use its repositories only inside the work");
        }
    }
}
