package dev.enrollment;

import java.sql.Connection;

/**
 * Lets the library join transactions that something else manages on the calling thread, such as a framework's
 * declarative transactions (the Spring Boot starter implements it on Spring's transaction synchronization). Set with
 * {@link Enrollments.Builder#externalTransactions(ExternalTransactions)}; the library itself depends on no framework.
 *
 * <p>Before every call, the library asks {@link #join()}. When a transaction is active, the call runs on its
 * connection and inside it, as a call on a {@link Transaction}'s repositories does: the library neither commits,
 * rolls back, closes nor changes the auto-commit mode of that connection; nothing is retried after a deadlock (the
 * transaction's other work cannot be redone); listeners hear of the changes only through
 * {@link Joined#afterCommit(Runnable)}, and so never for work that rolled back. A failure that leaves the
 * transaction unusable (a deadlock victim, a lock-wait timeout, a failed statement on PostgreSQL) is reported with
 * {@link Joined#setRollbackOnly(RuntimeException)}, so that it cannot commit. {@link Enrollments#transaction}
 * called inside a joined transaction runs its work within it, behind a savepoint: when the work throws, only its own
 * changes roll back and its exception is rethrown unchanged. When no transaction is active, calls behave as without
 * this hook: each in its own connection and transaction.
 *
 * <p>Implementations must be thread-safe; {@link #join()} is called on the thread making the library call.
 */
@FunctionalInterface
public interface ExternalTransactions {
    /**
     * Joins the transaction active on the calling thread, if there is one.
     *
     * @return the joined transaction, which the library {@link Joined#release() releases} when its call is done;
     *         or null when no transaction is active, and the call then runs in a transaction of its own
     */
    Joined join();

    /**
     * One library call's share of an external transaction. Used by one thread, for the duration of one call (or,
     * for a stream, until the stream is closed or the transaction completes).
     */
    interface Joined {
        /**
         * Returns the transaction's connection: not in auto-commit mode, owned by the transaction.
         *
         * @return the connection
         */
        Connection connection();

        /**
         * Runs an action once the transaction has committed; never when it rolls back. The library fires its
         * events from here.
         *
         * @param action what to run after the commit
         */
        void afterCommit(Runnable action);

        /**
         * Runs an action just before the transaction ends, whether it commits or rolls back: the library closes
         * the cursors of streams still open in the transaction from here (MySQL cannot commit while a streaming
         * result set is open), and such a stream then refuses to go on.
         *
         * @param action what to run before the end
         */
        void beforeCompletion(Runnable action);

        /**
         * Marks the transaction so that it cannot commit: a library call inside it failed in a way that may have
         * rolled it back already, in part or in whole.
         *
         * @param failure the library's exception for that failure, which an implementation may throw when the
         *                transaction is asked to commit
         */
        void setRollbackOnly(RuntimeException failure);

        /**
         * Tells the transaction that this call no longer uses the connection. Does not close it.
         */
        void release();
    }
}
