package dev.enrollment.internal;

import dev.enrollment.CourseCapacity;
import dev.enrollment.CourseKey;
import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;
import dev.enrollment.EnrollmentListener;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.InvalidInputException;
import dev.enrollment.OperationObserver;
import dev.enrollment.UserLookup;
import org.jooq.DSLContext;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * One database as the library sees it: where connections come from, its dialect and identity, the configuration of
 * its operations (retries, batch size, courses' capacities, the user lookup), and the parts that run them: the
 * {@link Transactions} lifecycle and the {@link ServerStreams}.
 */
public final class Database {
    static {
        QuietJooq.apply();   // before this class first renders with jOOQ
    }

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Tables and columns are plain lowercase identifiers, created and queried unquoted in every dialect. */
    static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderNameCase(RenderNameCase.AS_IS)
            .withRenderSchema(false)
            .withRenderCatalog(false)
            .withExecuteLogging(false)
            .withFetchWarnings(false);

    private final DataSource dataSource;
    private final Dialect dialect;
    private final int batchSize;
    private final UserLookup userLookup;
    private final CourseCapacity capacity;
    private final String poolDescription;
    private final Statements statements;
    private final Listeners listeners;
    private final Transactions transactions;
    private final ServerStreams streams;
    private final DatabaseIdentity identity;

    /**
     * Creates the database's parts, with no course capacity.
     *
     * @param dataSource where connections come from
     * @param dialect    the detected dialect
     * @param retry      how deadlocks are retried
     * @param listeners  who hears of committed changes, in order
     * @param batchSize  rows per batch for bulk work (enrollAll, delete, audit)
     * @param userLookup which user ids exist, for orphan work; null for auth_user in this database
     */
    public Database(DataSource dataSource, Dialect dialect, RetryPolicy retry, List<EnrollmentListener> listeners,
                    int batchSize, UserLookup userLookup) {
        this(dataSource, dialect, retry, listeners, batchSize, userLookup, null, null, null);
    }

    /**
     * Creates the database's parts, with courses' limits, joining external transactions and reporting to an
     * observer. The parts reach each other through this object: none of them uses another while it is built.
     *
     * @param dataSource where connections come from
     * @param dialect    the detected dialect
     * @param retry      how deadlocks are retried
     * @param listeners  who hears of committed changes, in order
     * @param batchSize  rows per batch for bulk work (enrollAll, delete, audit)
     * @param userLookup which user ids exist, for orphan work; null for auth_user in this database
     * @param capacity   the courses' limits of active enrollments; null for none
     * @param external   the transactions to join when one is active, or null
     * @param observer   who hears of retries, or null
     */
    public Database(DataSource dataSource, Dialect dialect, RetryPolicy retry, List<EnrollmentListener> listeners,
                    int batchSize, UserLookup userLookup, CourseCapacity capacity, ExternalTransactions external,
                    OperationObserver observer) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.batchSize = batchSize;
        this.userLookup = userLookup;
        this.capacity = capacity;
        this.poolDescription = describePool(dataSource);
        this.statements = new Statements(dialect);
        this.listeners = new Listeners(listeners);
        this.transactions = new Transactions(this, retry, this.listeners, external, observer != null);
        this.streams = new ServerStreams(this, transactions);
        this.identity = new DatabaseIdentity(transactions);
    }

    Statements statements() {
        return statements;
    }

    Transactions transactions() {
        return transactions;
    }

    ServerStreams streams() {
        return streams;
    }

    DatabaseIdentity identity() {
        return identity;
    }

    /**
     * Returns this database's identity, which every saved User read or written here carries (see
     * {@link DatabaseIdentity}).
     *
     * @return the identity
     * @throws DatabaseException if it cannot be read (an unmigrated schema: the message says to run migrate())
     */
    public Object origin() {
        return identity.get();
    }

    /**
     * Reads the database's identity now, if the schema has it, so that no later call pays for it (or fails, under
     * a pool that is exhausted, for a reason of its own); on an unmigrated schema it is read on first use instead.
     * Reads only: build() still changes nothing.
     */
    public void preloadOrigin() {
        identity.preload();
    }

    /**
     * Runs a caller's work in one transaction (see {@link Transactions#caller}).
     *
     * @param work the caller's work
     * @param <T>  its result
     * @return the work's result
     */
    public <T> T userTransaction(java.util.function.Function<Session, T> work) {
        return transactions.caller(work);
    }

    /**
     * Returns the course's limit of active enrollments, asking the caller's {@link CourseCapacity}.
     *
     * @param course the course
     * @return the limit, or empty when the course has none (or no capacity is configured)
     * @throws InvalidInputException if the capacity returns null or a negative limit, or throws
     */
    public OptionalLong maxActive(CourseKey course) {
        if (capacity == null) {
            return OptionalLong.empty();
        }
        OptionalLong max;
        try {
            max = capacity.maxActive(course);
        } catch (RuntimeException e) {
            InvalidInputException wrapped = new InvalidInputException("capacity",
                    "maxActive threw " + e.getClass().getName() + " (see the suppressed exception); nothing written");
            wrapped.addSuppressed(e);
            throw wrapped;
        }
        if (max == null) {
            throw new InvalidInputException("capacity",
                    "maxActive must not return null (return OptionalLong.empty() for no limit)");
        }
        if (max.isPresent() && max.getAsLong() < 0) {
            throw new InvalidInputException("capacity", "maxActive must not be negative");
        }
        return max;
    }

    /** "pool 'name' of N connections, T ms connection timeout" for a HikariCP pool; null for another DataSource. */
    private static String describePool(DataSource ds) {
        try {
            return OwnedPool.describe(ds);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not describe the data source", e);
            return null;
        }
    }

    /**
     * Turns a failure into the library's exception, describing this database's pool where that helps.
     *
     * @param operation the operation
     * @param attempts  the attempts made
     * @param t         the failure
     * @return the exception
     */
    public EnrollmentException translate(String operation, int attempts, Throwable t) {
        return Failures.translate(operation, attempts, t, poolDescription);
    }

    /**
     * Returns the batch size for bulk work.
     *
     * @return rows per batch
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Tells whether any listener is registered, so work may skip building the values of events nobody hears.
     *
     * @return true when events are delivered
     */
    boolean hasListeners() {
        return listeners.any();
    }

    /**
     * Returns the caller's user lookup.
     *
     * @return the lookup, or null for auth_user in this database
     */
    public UserLookup userLookup() {
        return userLookup;
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
     * Makes a jOOQ context on one connection, rendering unquoted lowercase names.
     *
     * @param connection the connection
     * @return the context
     */
    public DSLContext dsl(Connection connection) {
        return DSL.using(connection, dialect.sqlDialect(), SETTINGS);
    }
}
