package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Classifies driver exceptions and turns them into the library's own. */
public final class Failures {
    private static final int MYSQL_DEADLOCK = 1213;
    private static final int MYSQL_LOCK_WAIT_TIMEOUT = 1205;
    private static final int MYSQL_DUPLICATE_ENTRY = 1062;
    /** H2's "concurrent update" (MVStore): another transaction changed or inserted the row first. */
    private static final int H2_CONCURRENT_UPDATE = 90131;
    /** H2's lock timeout waiting for another transaction's row. */
    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int MYSQL_NO_SUCH_TABLE = 1146;
    /** Cannot delete or update a parent row: a foreign key constraint fails. */
    private static final int MYSQL_ROW_IS_REFERENCED = 1451;
    private static final int MYSQL_ROW_IS_REFERENCED_OLD = 1217;
    private static final java.util.regex.Pattern MYSQL_REFERENCING = java.util.regex.Pattern.compile(
            "foreign key constraint fails \\(`?(?:[^`.]+)`?\\.`?([^`,]+)`?,");
    private static final java.util.regex.Pattern POSTGRES_REFERENCING = java.util.regex.Pattern.compile(
            "violates foreign key constraint \"[^\"]+\" on table \"([^\"]+)\"");
    private static final java.util.regex.Pattern H2_REFERENCING = java.util.regex.Pattern.compile(
            "constraint violation: \"[^:]+: (?:[^ .]+\\.)?([^ .(]+) FOREIGN KEY");
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
     * @return true for MySQL 1213/1205 and SQLState 40001/40P01 (serialization failure, deadlock) and 55P03
     *         (PostgreSQL's lock_not_available, from lock_timeout), and H2's 90131 (concurrent update) and 50200
     *         (lock timeout)
     */
    public static boolean isRetryable(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            int code = e.getErrorCode();
            String state = e.getSQLState();
            if (code == MYSQL_DEADLOCK || code == MYSQL_LOCK_WAIT_TIMEOUT
                    || "40001".equals(state) || "40P01".equals(state) || "55P03".equals(state)
                    || code == H2_CONCURRENT_UPDATE || code == H2_LOCK_TIMEOUT) {
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
     * Tells whether the failure is a foreign key of another table refusing a delete (the row is still referenced).
     *
     * @param t the failure
     * @return true for MySQL 1451/1217 and SQLState 23503
     */
    public static boolean isReferenced(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            int code = e.getErrorCode();
            if (code == MYSQL_ROW_IS_REFERENCED || code == MYSQL_ROW_IS_REFERENCED_OLD
                    || "23503".equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names the table whose foreign key refused a delete, from the database's message.
     *
     * @param t a failure for which {@link #isReferenced} is true
     * @return the referencing table in lower case, or null when the message does not say
     */
    public static String referencingTable(Throwable t) {
        for (SQLException e = sqlException(t); e != null; e = next(e)) {
            String message = String.valueOf(e.getMessage());
            for (java.util.regex.Pattern p : List.of(MYSQL_REFERENCING, POSTGRES_REFERENCING, H2_REFERENCING)) {
                java.util.regex.Matcher m = p.matcher(message);
                if (m.find()) {
                    return m.group(1).toLowerCase(Locale.ROOT);
                }
            }
        }
        return null;
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
        String detail = describe(t);
        if (isRetryable(t)) {
            detail = "deadlock or lock-wait timeout (" + detail + ")";
        }
        return new DatabaseException(operation, attempts, operation + " failed" + tries + ": " + detail,
                sanitized(sql != null ? sql : t, null));
    }

    /**
     * Returns the failure to keep as an exception's cause: itself, unless its message (or a cause's) holds a
     * password (a JDBC URL's {@code password=...} or {@code user:secret@}, or the given password); then an
     * {@link SQLException} with the same SQLState, error code and stack trace and the message redacted, so that no
     * password reaches a caller's logs through {@code getCause().getMessage()}.
     *
     * @param t        the failure
     * @param password a password to remove as well, or null
     * @return the failure, or its redacted copy
     */
    public static Throwable sanitized(Throwable t, String password) {
        boolean clean = true;
        for (Throwable c = t; c != null && clean; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            clean = m == null || m.equals(JdbcUrls.scrub(m, password));
        }
        if (clean) {
            return t;
        }
        SQLException sql = sqlException(t);
        SQLException copy = new SQLException(JdbcUrls.scrub(t.getMessage(), password),
                sql != null ? sql.getSQLState() : null, sql != null ? sql.getErrorCode() : 0);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /**
     * Describes a failure for a message: SQLState, error code and the driver's message (secrets redacted).
     *
     * @param t the failure
     * @return the description
     */
    public static String describe(Throwable t) {
        SQLException sql = sqlException(t);
        if (sql != null) {
            return "SQLState " + sql.getSQLState() + ", error " + sql.getErrorCode() + ": "
                    + JdbcUrls.redact(sql.getMessage());
        }
        return t.getClass().getSimpleName() + ": " + JdbcUrls.redact(t.getMessage());
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
