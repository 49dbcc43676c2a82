package dev.enrollment;

import java.sql.SQLException;
import java.util.Objects;

/**
 * The database failed: the server was unreachable, a statement failed, the schema is not migrated, or a deadlock or
 * lock-wait timeout survived the bounded retry. The driver's {@link SQLException}, when there is one, is the
 * {@linkplain #getCause() cause}.
 *
 * <p>The message names the operation and the number of attempts made. Use {@link #sqlState()} and
 * {@link #errorCode()} to branch on the database's own classification.
 */
public class DatabaseException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** The library operation that failed. */
    private final String operation;
    /** How many times the operation was tried. */
    private final int attempts;

    /**
     * Creates the exception.
     *
     * @param operation the library operation that failed, such as {@code "getOrCreate"} or {@code "migrate"}
     * @param attempts  how many times the operation was tried (1 when it was not retried)
     * @param message   what went wrong, naming the operation; never a password
     * @param cause     the underlying failure, usually an {@link SQLException}; may be null
     */
    public DatabaseException(String operation, int attempts, String message, Throwable cause) {
        super(message, cause);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.attempts = attempts;
    }

    /**
     * Returns the library operation that failed.
     *
     * @return the operation name, such as {@code "getOrCreate"}
     */
    public String operation() {
        return operation;
    }

    /**
     * Returns how many times the operation was tried before this failure reached the caller.
     *
     * @return the number of attempts, 1 when it was not retried
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Returns the SQLState of the first {@link SQLException} in the cause chain.
     *
     * @return the SQLState, such as {@code "40001"}, or null when there is none
     */
    public String sqlState() {
        SQLException e = sqlException();
        return e == null ? null : e.getSQLState();
    }

    /**
     * Returns the vendor error code of the first {@link SQLException} in the cause chain.
     *
     * @return the vendor code, such as MySQL's {@code 1213} for a deadlock, or 0 when there is none
     */
    public int errorCode() {
        SQLException e = sqlException();
        return e == null ? 0 : e.getErrorCode();
    }

    private SQLException sqlException() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return (SQLException) t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
