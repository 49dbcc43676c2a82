package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentException;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.UserAlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.function.Function;

/**
 * One call inside an external transaction (Spring's), on its connection: never committed, rolled back or retried
 * here; events wait for the transaction's commit; a failure in the database marks it rollback-only, as a call inside
 * a caller's {@code Enrollments.transaction} does. A caller's work ({@code Enrollments.transaction}) runs behind a
 * savepoint, rolled back to when the work throws.
 */
final class JoinedTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(JoinedTransaction.class);

    private final Database db;
    private final Transactions transactions;
    private final Listeners listeners;
    private final ExternalTransactions.Joined joined;

    JoinedTransaction(Database db, Transactions transactions, Listeners listeners, ExternalTransactions.Joined joined) {
        this.db = db;
        this.transactions = transactions;
        this.listeners = listeners;
        this.joined = joined;
    }

    /**
     * Runs the work on the joined transaction's connection, then releases it.
     *
     * @param operation  the operation's name
     * @param callerWork whether this is a caller's {@code Enrollments.transaction} (behind a savepoint)
     * @param work       the work
     * @param <T>        its result
     * @return the work's result
     */
    <T> T run(String operation, boolean callerWork, Function<Session, T> work) {
        Session session = null;
        try {
            Connection c = joined.connection();
            session = new Session(db, c, true, false);
            Savepoint savepoint = callerWork ? c.setSavepoint() : null;
            T result;
            if (callerWork) {
                transactions.callerTransaction(session);
            }
            try {
                result = session.apply(work);
            } catch (Throwable e) {
                if (!callerWork) {
                    throw e;
                }
                Throwable unusable = session.rollbackOnlyCause();
                if (unusable != null) {
                    joined.setRollbackOnly(Transactions.unusable(unusable));
                } else {
                    try {
                        c.rollback(savepoint);
                    } catch (SQLException | RuntimeException rollbackFailure) {
                        e.addSuppressed(rollbackFailure);
                        joined.setRollbackOnly(Transactions.unusable(db.translate(operation, 1, rollbackFailure)));
                    }
                }
                throw new Transactions.CallerFailure(e);
            } finally {
                if (callerWork) {
                    transactions.callerTransaction(null);
                }
            }
            Throwable unusable = session.rollbackOnlyCause();
            if (unusable != null) {
                DatabaseException failure = Transactions.unusable(unusable);
                joined.setRollbackOnly(failure);
                throw failure;
            }
            if (savepoint != null) {
                release(c, savepoint);
            }
            List<EnrollmentEvent> events = List.copyOf(session.events());
            if (!events.isEmpty()) {
                joined.afterCommit(() -> listeners.fire(events));
            }
            return result;
        } catch (Transactions.CallerFailure e) {
            throw Transactions.sneaky(e.getCause());
        } catch (UserAlreadyExistsException e) {
            // Only a refusal by a failed statement (its SQLException kept as the cause) aborted a PostgreSQL
            // transaction; users are inserted with ON CONFLICT DO NOTHING, which fails nothing.
            if (db.dialect() == Dialect.POSTGRES && e.getCause() instanceof SQLException) {
                joined.setRollbackOnly(Transactions.unusable(e));
            }
            throw e;
        } catch (EnrollmentException | Error e) {
            throw e;
        } catch (Throwable t) {
            EnrollmentException translated = db.translate(operation, 1, t);
            joined.setRollbackOnly(Transactions.unusable(translated));
            throw translated;
        } finally {
            if (session != null) {
                session.close();
            }
            joined.release();
        }
    }

    private static void release(Connection c, Savepoint savepoint) {
        try {
            c.releaseSavepoint(savepoint);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not release a savepoint; it ends with its transaction", e);
        }
    }
}
