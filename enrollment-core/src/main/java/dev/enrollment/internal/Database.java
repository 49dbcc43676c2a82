package dev.enrollment.internal;

import dev.enrollment.EnrollmentException;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Runs the library's operations on a {@link DataSource}: one connection per operation, either in autocommit mode
 * (each statement on its own) or in one transaction, with deadlocks and lock-wait timeouts retried a bounded number
 * of times for idempotent operations, and every failure turned into an {@link EnrollmentException}.
 */
public final class Database {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Tables and columns are plain lowercase identifiers, created and queried unquoted in every dialect. */
    static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderNameCase(RenderNameCase.AS_IS)
            .withRenderSchema(false)
            .withRenderCatalog(false)
            .withExecuteLogging(false)
            .withFetchWarnings(false);

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final RetryPolicy retry;

    /**
     * Creates the runner.
     *
     * @param dataSource where connections come from
     * @param dialect    the detected dialect
     * @param retry      how deadlocks are retried
     */
    public Database(DataSource dataSource, Dialect dialect, RetryPolicy retry) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.retry = retry;
    }

    /**
     * Returns the dialect.
     *
     * @return the detected dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Returns the data source.
     *
     * @return the data source operations run on
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Returns a timestamp to write, as UTC with microseconds.
     *
     * <p>On MySQL and MariaDB it is bound as text and cast to {@code DATETIME(6)}: mysql-connector-j reads MariaDB's
     * version as 5.5.5 (the replication prefix) and then truncates fractional seconds of bound timestamps.
     *
     * @param instant the time
     * @return a field holding the bound value
     */
    public Field<LocalDateTime> timestamp(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        if (dialect.isMySqlFamily()) {
            return DSL.cast(DSL.val(MICROS.format(utc)), SQLDataType.LOCALDATETIME(6));
        }
        return DSL.val(utc, SQLDataType.LOCALDATETIME(6));
    }

    /**
     * Makes a jOOQ context on one connection, rendering unquoted lowercase names.
     *
     * @param connection the connection
     * @return the context
     */
    public DSLContext dsl(Connection connection) {
        return DSL.using(connection, dialect.sqlDialect(), SETTINGS);
    }

    /**
     * Runs work in autocommit mode: each statement commits on its own. For reads, and for writes that are one
     * statement or safe to stop between statements.
     *
     * @param operation  the operation's name, for messages
     * @param idempotent whether the work may run again after a deadlock
     * @param work       the work
     * @param <T>        its result
     * @return the work's result
     */
    public <T> T autocommit(String operation, boolean idempotent, Function<DSLContext, T> work) {
        return run(operation, idempotent, false, work);
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws (the work's own
     * {@link EnrollmentException} is rethrown unchanged).
     *
     * @param operation  the operation's name, for messages
     * @param idempotent whether the whole transaction may run again after a deadlock
     * @param work       the work
     * @param <T>        its result
     * @return the work's result
     */
    public <T> T transaction(String operation, boolean idempotent, Function<DSLContext, T> work) {
        return run(operation, idempotent, true, work);
    }

    private <T> T run(String operation, boolean idempotent, boolean transactional, Function<DSLContext, T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return once(transactional, work);
            } catch (EnrollmentException e) {
                throw e;
            } catch (RuntimeException | SQLException e) {
                if (idempotent && attempt < retry.maxAttempts() && Failures.isRetryable(e)) {
                    long pause = retry.pauseMillis(attempt, ThreadLocalRandom.current());
                    LOG.debug("{}: deadlock or lock-wait timeout on attempt {} of {}; retrying in {} ms",
                            operation, attempt, retry.maxAttempts(), pause);
                    if (!sleep(pause)) {
                        throw Failures.translate(operation, attempt, e);
                    }
                    continue;
                }
                throw Failures.translate(operation, attempt, e);
            }
        }
    }

    private <T> T once(boolean transactional, Function<DSLContext, T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (transactional && autoCommit) {
                c.setAutoCommit(false);
            }
            boolean manual = transactional || !autoCommit;
            try {
                T result = work.apply(dsl(c));
                if (manual) {
                    c.commit();
                }
                return result;
            } catch (RuntimeException | Error e) {
                if (manual) {
                    rollback(c, e);
                }
                throw e;
            } finally {
                if (transactional && autoCommit) {
                    restoreAutoCommit(c);
                }
            }
        }
    }

    /** A failure here must not hide the work's own outcome; a broken connection is evicted by the pool anyway. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not restore autocommit on a connection", e);
        }
    }

    private static void rollback(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
