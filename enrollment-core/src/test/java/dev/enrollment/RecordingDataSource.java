package dev.enrollment;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Wraps a DataSource and records every statement the library executes, with its update count. */
final class RecordingDataSource extends DelegatingDataSource {
    /** One executed statement. */
    record Executed(String sql, long updateCount) {
        boolean isDelete() {
            return sql.trim().toLowerCase().startsWith("delete");
        }
    }

    private final List<Executed> executed = new ArrayList<>();

    RecordingDataSource(DataSource delegate) {
        super(delegate);
    }

    synchronized List<Executed> executed() {
        return List.copyOf(executed);
    }

    synchronized void clear() {
        executed.clear();
    }

    private synchronized void record(String sql, long count) {
        executed.add(new Executed(sql, count));
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    private Connection wrap(Connection c) {
        InvocationHandler h = (proxy, method, args) -> {
            Object result = invoke(c, method, args);
            if (result instanceof PreparedStatement && args != null && args.length > 0 && args[0] instanceof String) {
                return statement((PreparedStatement) result, (String) args[0]);
            }
            if (result instanceof java.sql.Statement && "createStatement".equals(method.getName())) {
                return plain((java.sql.Statement) result);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private PreparedStatement statement(PreparedStatement ps, String sql) {
        InvocationHandler h = (proxy, method, args) -> {
            Object result = invoke(ps, method, args);
            switch (method.getName()) {
                case "executeUpdate":
                case "executeLargeUpdate":
                    record(sql, ((Number) result).longValue());
                    break;
                case "execute":
                    record(sql, Boolean.TRUE.equals(result) ? -1 : ps.getUpdateCount());
                    break;
                case "executeQuery":
                case "executeBatch":
                case "executeLargeBatch":
                    record(sql, -1);
                    break;
                default:
                    break;
            }
            return result;
        };
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, h);
    }

    /** A plain Statement: its SQL is the argument of each execute call. */
    private java.sql.Statement plain(java.sql.Statement st) {
        InvocationHandler h = (proxy, method, args) -> {
            Object result = invoke(st, method, args);
            if (method.getName().startsWith("execute") && args != null && args.length > 0
                    && args[0] instanceof String) {
                record((String) args[0], result instanceof Number ? ((Number) result).longValue() : -1);
            }
            return result;
        };
        return (java.sql.Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {java.sql.Statement.class}, h);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

}
