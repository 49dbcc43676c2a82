package dev.enrollment.internal;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;

/**
 * The library's own transaction on a connection in autocommit mode (MySQL, MariaDB, PostgreSQL): {@code START
 * TRANSACTION} ... {@code COMMIT} as statements (rendered by jOOQ), the connection staying in autocommit mode
 * throughout. Two round trips of transaction control instead of {@code setAutoCommit(false)}, {@code commit()} and
 * {@code setAutoCommit(true)}'s three, and nothing for the pool to reset when the connection goes back. Never for a
 * caller's transaction, whose code may look at or change the connection's autocommit state.
 */
final class StatementTransaction {
    private final String begin;
    private final String commit;
    private final String rollback;

    StatementTransaction(Dialect dialect) {
        DSLContext render = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
        this.begin = render.render(render.startTransaction());
        this.commit = render.render(render.commit());
        this.rollback = render.render(render.rollback());
    }

    /**
     * Runs the work in one transaction on the connection: committed when it returns, rolled back when it throws.
     *
     * @param c       a connection in autocommit mode
     * @param session the work's session on it
     * @param work    the work
     * @param <T>     its result
     * @return the work's result
     * @throws SQLException if the transaction cannot begin or commit
     */
    <T> T run(Connection c, Session session, Function<Session, T> work) throws SQLException {
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
            result = session.apply(work);
        } catch (Throwable e) {
            rollback(c, e);
            throw Transactions.rethrowable(e);
        }
        try {
            execute(c, commit);
        } catch (SQLException e) {
            rollback(c, e);
            throw e;
        }
        return result;
    }

    /**
     * Rolls back with a statement. If even that fails, the connection may still hold an open transaction that the
     * pool (which sees autocommit mode) would not roll back: close the physical connection rather than return it.
     */
    private void rollback(Connection c, Throwable failure) {
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

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
