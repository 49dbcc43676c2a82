package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/** Classifies driver exceptions and turns them into the library's own. */
public final class Failures {
    private static final int MYSQL_DEADLOCK = 1213;
    private static final int MYSQL_LOCK_WAIT_TIMEOUT = 1205;
    private static final int MYSQL_DUPLICATE_ENTRY = 1062;
    private static final int MYSQL_NO_SUCH_TABLE = 1146;
    private static final int H2_TABLE_NOT_FOUND = 42102;
    private static final int H2_TABLE_NOT_FOUND_DATABASE_EMPTY = 42104;
    private static final Set<String> UNDEFINED_TABLE_STATES = Set.of("42S02", "42P01");

    private Failures() {
    }

    /**
     * Returns the first {@link SQLException} in a cause chain.
     *
     * @param t the failure
     * @return the SQL exception, or null
     */
    public static SQLException sqlException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                return (SQLException) c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /**
     * Tells whether the failure is a deadlock or lock-wait timeout, which a whole transaction may be retried after.
     *
     * <p>On a MariaDB Galera cluster, a transaction that loses certification to a conflicting write committed on
     * another node, or that a replicated write aborts (a brute-force abort), fails with the same error 1213: at any
     * statement, or at COMMIT of a transaction that never waited for a lock. mysql-connector-j 9 reports it as a
     * {@code MySQLTransactionRollbackException} with SQLState 40001 and error 1213 ("Deadlock found when trying to
     * get lock; try restarting transaction"; older servers say "WSREP detected deadlock/conflict"); nothing of the
     * transaction was committed, so it is retried like a deadlock (proven by {@code GaleraClusterTest}).
     *
     * @param t the failure
     * @return true for MySQL 1213/1205 and SQLState 40001/40P01
     */
    public static boolean isRetryable(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            int code = e.getErrorCode();
            String state = e.getSQLState();
            if (code == MYSQL_DEADLOCK || code == MYSQL_LOCK_WAIT_TIMEOUT
                    || "40001".equals(state) || "40P01".equals(state)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether the failure is a unique-key violation.
     *
     * @param t the failure
     * @return true for MySQL 1062 and SQLState 23505
     */
    public static boolean isUniqueViolation(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            if (e.getErrorCode() == MYSQL_DUPLICATE_ENTRY || "23505".equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether the failure says a table does not exist: the schema is not migrated.
     *
     * @param t the failure
     * @return true for MySQL 1146, H2 42102/42104 and SQLState 42S02/42P01
     */
    public static boolean isUndefinedTable(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            int code = e.getErrorCode();
            if (code == MYSQL_NO_SUCH_TABLE || code == H2_TABLE_NOT_FOUND || code == H2_TABLE_NOT_FOUND_DATABASE_EMPTY
                    || UNDEFINED_TABLE_STATES.contains(String.valueOf(e.getSQLState()).toUpperCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Turns any failure of an operation into an {@link EnrollmentException}; the library's own pass unchanged.
     *
     * @param operation the operation's name
     * @param attempts  how many attempts were made
     * @param t         the failure
     * @return the exception to throw
     */
    public static EnrollmentException translate(String operation, int attempts, Throwable t) {
        return translate(operation, attempts, t, null);
    }

    /**
     * Turns any failure of an operation into an {@link EnrollmentException}, describing the pool when the failure
     * is a timeout waiting for a connection.
     *
     * @param operation the operation's name
     * @param attempts  how many attempts were made
     * @param t         the failure
     * @param pool      what the pool is, such as "pool 'enrollment' of 10 connections, 5000 ms connection timeout";
     *                  null when unknown
     * @return the exception to throw
     */
    public static EnrollmentException translate(String operation, int attempts, Throwable t, String pool) {
        if (t instanceof EnrollmentException) {
            return (EnrollmentException) t;
        }
        SQLException sql = sqlException(t);
        String tries = attempts == 1 ? "" : " after " + attempts + " attempts";
        if (sql instanceof java.sql.SQLTransientConnectionException) {
            // HikariCP: no connection within the timeout. Either every connection is busy or none can be made.
            SQLException last = sql.getCause() instanceof SQLException ? (SQLException) sql.getCause() : null;
            return new DatabaseException(operation, attempts, operation + " failed" + tries + ": no database "
                    + "connection within the timeout (" + (pool != null ? pool : JdbcUrls.redact(sql.getMessage()))
                    + "): " + (last != null ? "the database is unreachable or refuses connections: "
                    + JdbcUrls.redact(last.getMessage()) : "every connection is busy; raise the pool size or "
                    + "shorten what holds connections (close forCourse streams)"), sql);
        }
        if (isUndefinedTable(t)) {
            return new DatabaseException(operation, attempts, operation + " failed" + tries + ": the enrollment "
                    + "tables do not exist in this schema; run Enrollments.migrate() (or adopt()) first", sql);
        }
        String detail;
        if (sql != null) {
            detail = "SQLState " + sql.getSQLState() + ", error " + sql.getErrorCode() + ": "
                    + JdbcUrls.redact(sql.getMessage());
        } else {
            detail = t.getClass().getSimpleName() + ": " + JdbcUrls.redact(t.getMessage());
        }
        if (isRetryable(t)) {
            detail = "deadlock or lock-wait timeout (" + detail + ")";
        }
        return new DatabaseException(operation, attempts, operation + " failed" + tries + ": " + detail,
                sql != null ? sql : t);
    }

    private static SQLException next(SQLException e) {
        SQLException n = e.getNextException();
        if (n != null && n != e) {
            return n;
        }
        Throwable c = e.getCause();
        return c instanceof SQLException && c != e ? (SQLException) c : null;
    }
}
