package dev.enrollment;

/**
 * The repositories of one database transaction, given to the work of {@link Enrollments#transaction} and
 * {@link Enrollments#transactionResult}. Every call on them runs on the transaction's connection; nothing is
 * visible to others until the work returns and the transaction commits. Listeners hear of the changes after that
 * commit, and never if it rolls back.
 *
 * <p>Use it only inside the work and only on the work's thread. Close any stream from
 * {@link EnrollmentRepository#forCourse} before the next call: MySQL streams block the connection until then.
 * After a library exception inside the work, let the work end (rethrow): on PostgreSQL a failed statement aborts the
 * whole transaction.
 */
public interface Transaction {
    /**
     * Returns the users repository bound to this transaction.
     *
     * @return the users
     */
    Users users();

    /**
     * Returns the enrollments repository bound to this transaction.
     *
     * @return the enrollments
     */
    EnrollmentRepository enrollments();

    /**
     * Returns the allowances repository bound to this transaction.
     *
     * @return the allowances
     */
    Allowances allowances();

    /**
     * Returns the transaction's JDBC connection, for the caller's own statements in the same transaction (for
     * example updating the user's {@code last_login} right after enrolling). Never commit, roll back, close it or
     * change its auto-commit mode: the library does that when the work ends. Valid only inside the work.
     *
     * @return the connection
     * @throws InvalidInputException if the transaction is over
     */
    java.sql.Connection connection();
}
