package dev.enrollment.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The connection a caller's transaction hands out ({@code Transaction.connection()}): the real one, except that the
 * caller cannot end the transaction the library owns (commit, rollback, autocommit, close, savepoint release are
 * refused with a clear error), and that a statement of the caller's that fails in a way that rolled the transaction
 * back (a deadlock victim, a serialization failure, any error on PostgreSQL, which aborts the transaction) marks it
 * rollback-only, even if the caller catches the {@link SQLException}: the library then rolls back, fires nothing
 * and throws, instead of reporting a commit of work the database already undid.
 */
final class CallerConnection implements InvocationHandler {
    private static final Set<String> REFUSED = Set.of("commit", "rollback", "setAutoCommit", "close", "abort",
            "setTransactionIsolation", "releaseSavepoint");
    private final Connection real;
    private final Session session;

    private CallerConnection(Connection real, Session session) {
        this.real = real;
        this.session = session;
    }

    /**
     * Wraps a transaction's connection for its caller.
     *
     * @param session the caller's transaction
     * @return the connection to hand out
     */
    static Connection of(Session session) {
        return (Connection) Proxy.newProxyInstance(CallerConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new CallerConnection(session.connection(), session));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (REFUSED.contains(name) && !(name.equals("rollback") && args != null && args.length == 1)) {
            throw new SQLException("Transaction.connection(): " + name + "() is not allowed: the library commits "
                    + "or rolls back the transaction when the work returns (throw from the work to roll back)",
                    "25000");
        }
        if (name.equals("unwrap") || name.equals("isWrapperFor")) {
            return call(method, args);
        }
        Object result = call(method, args);
        if (result instanceof Statement) {
            Class<?> type = result instanceof CallableStatement ? CallableStatement.class
                    : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(CallerConnection.class.getClassLoader(), new Class<?>[] {type},
                    new Watched(result));
        }
        return result;
    }

    private Object call(Method method, Object[] args) throws Throwable {
        return watch(real, method, args);
    }

    /** Runs a call on the real object; a failure that rolled the transaction back marks it rollback-only. */
    private Object watch(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException && rolledBack((SQLException) cause)) {
                session.rollbackOnly(cause);
            }
            throw cause;
        }
    }

    private boolean rolledBack(SQLException e) {
        // PostgreSQL aborts the whole transaction on any error; elsewhere a deadlock (1213, 40001, Galera's
        // certification failure), a lock-wait timeout (1205: the statement, or the transaction with
        // innodb_rollback_on_timeout) or a lock timeout leave it undone or partial.
        return session.db().dialect() == Dialect.POSTGRES || Failures.isRetryable(e);
    }

    /** A statement made on the caller's connection. */
    private final class Watched implements InvocationHandler {
        private final Object statement;

        Watched(Object statement) {
            this.statement = statement;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("getConnection")) {
                return CallerConnection.of(session);
            }
            return watch(statement, method, args);
        }
    }
}
