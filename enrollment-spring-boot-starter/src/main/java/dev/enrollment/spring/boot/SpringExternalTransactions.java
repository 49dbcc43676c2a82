package dev.enrollment.spring.boot;

import dev.enrollment.ExternalTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Joins the library's calls to the Spring-managed transaction of the calling thread: the one a
 * {@code PlatformTransactionManager} on the same {@link DataSource} (Boot's {@code DataSourceTransactionManager},
 * a {@code JpaTransactionManager}) began for an {@code @Transactional} method or a {@code TransactionTemplate}. The
 * connection is the transaction's own, through {@link DataSourceUtils} (as Boot's jOOQ auto-configuration reaches
 * it through a {@code TransactionAwareDataSourceProxy}); events wait for
 * {@link TransactionSynchronization#afterCommit()}; a failure that leaves the transaction unusable makes its commit
 * roll back and throw the library's exception, from {@link TransactionSynchronization#beforeCommit(boolean)}.
 *
 * <p>Outside a transaction, or inside one that holds no connection of this {@code DataSource} (a transaction
 * manager of another database), calls run in transactions of their own, as without Spring; the second case is
 * logged once as a warning, since the library's changes then commit apart from the service's.
 */
public final class SpringExternalTransactions implements ExternalTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(SpringExternalTransactions.class);

    private final DataSource dataSource;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Creates the hook for the data source the library and the transaction manager share.
     *
     * @param dataSource the application's data source
     */
    public SpringExternalTransactions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Joined join() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return null;
        }
        if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder)) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("a Spring transaction is active, but holds no connection of the DataSource the enrollment "
                        + "library uses: its calls commit on their own (use one transaction manager on that "
                        + "DataSource to join them)");
            }
            return null;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            if (connection.getAutoCommit()) {
                DataSourceUtils.releaseConnection(connection, dataSource);
                return null;
            }
        } catch (SQLException e) {
            DataSourceUtils.releaseConnection(connection, dataSource);
            throw new IllegalStateException("cannot read the transaction's auto-commit mode", e);
        }
        return new SpringJoined(connection);
    }

    private final class SpringJoined implements Joined {
        private final Connection connection;

        SpringJoined(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection connection() {
            return connection;
        }

        @Override
        public void afterCommit(Runnable action) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        }

        @Override
        public void beforeCompletion(Runnable action) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCompletion() {
                    action.run();
                }
            });
        }

        @Override
        public void setRollbackOnly(RuntimeException failure) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    throw failure;   // Spring rolls back and rethrows it to whoever commits
                }
            });
        }

        @Override
        public void release() {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }
}
