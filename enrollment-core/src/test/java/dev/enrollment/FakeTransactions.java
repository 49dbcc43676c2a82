package dev.enrollment;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A framework's transactions, as small as the hook allows: {@link #begin()} binds a connection (auto-commit off)
 * to the thread, {@link #commit()} and {@link #rollback()} end it and run what the library registered.
 */
final class FakeTransactions implements ExternalTransactions {
    private final DataSource dataSource;
    private final ThreadLocal<Tx> current = new ThreadLocal<>();
    int joins;
    int releases;
    /** When set, registering a beforeCompletion action fails, as a framework's may (no synchronization active). */
    RuntimeException refuseBeforeCompletion;

    FakeTransactions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One transaction on one connection. */
    final class Tx {
        final Connection connection;
        final List<Runnable> afterCommit = new ArrayList<>();
        final List<Runnable> beforeCompletion = new ArrayList<>();
        RuntimeException rollbackOnly;

        Tx(Connection connection) {
            this.connection = connection;
        }
    }

    Tx begin() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        Tx tx = new Tx(c);
        current.set(tx);
        return tx;
    }

    /** Commits, unless a call marked the transaction rollback-only: then rolls back and throws its failure. */
    void commit() throws SQLException {
        Tx tx = current.get();
        if (tx.rollbackOnly != null) {
            rollback();
            throw tx.rollbackOnly;
        }
        tx.beforeCompletion.forEach(Runnable::run);
        tx.connection.commit();
        end(tx);
        tx.afterCommit.forEach(Runnable::run);
    }

    void rollback() throws SQLException {
        Tx tx = current.get();
        tx.beforeCompletion.forEach(Runnable::run);
        tx.connection.rollback();
        end(tx);
    }

    private void end(Tx tx) throws SQLException {
        current.remove();
        tx.connection.setAutoCommit(true);
        tx.connection.close();
    }

    @Override
    public Joined join() {
        Tx tx = current.get();
        if (tx == null) {
            return null;
        }
        joins++;
        return new Joined() {
            @Override
            public Connection connection() {
                return tx.connection;
            }

            @Override
            public void afterCommit(Runnable action) {
                tx.afterCommit.add(action);
            }

            @Override
            public void beforeCompletion(Runnable action) {
                if (refuseBeforeCompletion != null) {
                    throw refuseBeforeCompletion;
                }
                tx.beforeCompletion.add(action);
            }

            @Override
            public void setRollbackOnly(RuntimeException failure) {
                if (tx.rollbackOnly == null) {
                    tx.rollbackOnly = failure;
                }
            }

            @Override
            public void release() {
                releases++;
            }
        };
    }
}
