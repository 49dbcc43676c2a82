package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static dev.enrollment.schema.Tables.ENROLLMENT_DATABASE;

/**
 * A database's identity, which every saved {@code User} read or written there carries: the random id that
 * {@code migrate()} or {@code adopt()} wrote once into {@code enrollment_database}, interned, so that instances on the
 * same database (two pools, a DML and a DDL account, a replica and its primary) share it and a check is one reference
 * comparison. Read at build, after migrate/adopt, or before an operation takes its connection (read inside the
 * operation's own transaction it would need a second connection while holding the first: a pool of one would wait
 * out its timeout); one volatile read once known.
 */
final class DatabaseIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseIdentity.class);
    /** Identities, interned: every instance on one database holds the same object. */
    private static final ConcurrentMap<String, Object> INTERNED = new ConcurrentHashMap<>();

    private final Transactions transactions;
    private volatile Object identity;

    DatabaseIdentity(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Returns the identity, reading it on first use.
     *
     * @return the identity
     * @throws DatabaseException if it cannot be read (an unmigrated schema: the message says to run migrate())
     */
    Object get() {
        Object o = identity;
        return o != null ? o : load();
    }

    /** Reads the identity now if it is not known yet; an unreadable one is read again on first use. */
    void preload() {
        if (identity == null) {
            try {
                get();
            } catch (EnrollmentException e) {
                LOG.debug("the database's identity is not readable yet (an unmigrated schema?); read on first use",
                        e);
            }
        }
    }

    private synchronized Object load() {
        if (identity == null) {
            var t = ENROLLMENT_DATABASE;
            String id = transactions.internalRead("identity",
                    s -> s.dsl().select(t.DATABASE_ID).from(t).limit(1).fetchOne(t.DATABASE_ID));
            if (id == null) {
                throw new DatabaseException("identity", 1, "enrollment_database holds no row: run migrate() (or "
                        + "adopt()) to give this database its identity", null);
            }
            identity = INTERNED.computeIfAbsent(id.trim(), Identity::new);
        }
        return identity;
    }

    /** A database's identity: a random id, compared by reference once interned. */
    private static final class Identity {
        private final String id;

        Identity(String id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "database " + id;
        }
    }
}
