package dev.enrollment.internal;

import dev.enrollment.EnrollmentException;
import dev.enrollment.ExternalTransactions;
import dev.enrollment.InvalidInputException;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Cleaner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams of rows read from the server through a cursor, never materialised: on a connection of their own (released
 * when the stream is closed or exhausted, or, for a stream its caller abandons, by a {@link Cleaner}), on an external
 * transaction's connection (closed before that transaction ends), or inside a caller's transaction (closed with it).
 * A failing mapper or action releases the cursor at once.
 */
final class ServerStreams {
    private static final Logger LOG = LoggerFactory.getLogger(ServerStreams.class);
    private static final Cleaner CLEANER = Cleaner.create();
    /** Rows a streaming query fetches per round trip where the driver supports a positive fetch size. */
    private static final int FETCH_SIZE = 1000;

    private final Database db;
    private final Transactions transactions;

    ServerStreams(Database db, Transactions transactions) {
        this.db = db;
        this.transactions = transactions;
    }

    /**
     * Streams a query's rows on a connection of its own (or the external transaction's, when one is active).
     *
     * @param operation the operation's name
     * @param query     the query on a context
     * @param mapper    row to value
     * @param <R>       the record type
     * @param <T>       the value type
     * @return the stream
     */
    <R extends Record, T> Stream<T> top(String operation, Function<DSLContext, ResultQuery<R>> query,
                                        Function<R, T> mapper) {
        transactions.refuseInsideCallerTransaction(operation);
        db.identity().preload();
        ExternalTransactions.Joined joined = transactions.join(operation);
        if (joined != null) {
            return joined(operation, joined, query, mapper);
        }
        Connection c = null;
        try {
            c = db.dataSource().getConnection();
            // PostgreSQL streams with a cursor only inside a transaction; the read is rolled back at the end.
            boolean ownTransaction = db.dialect() == Dialect.POSTGRES && c.getAutoCommit();
            if (ownTransaction) {
                c.setAutoCommit(false);
            }
            Connection connection = c;
            // A stream its caller never closes must not pin a connection forever: when it becomes unreachable, a
            // Cleaner closes it and logs where it was opened (as Jdbi's leak checker does).
            Throwable openedAt = new Throwable(operation + " stream opened here");
            AtomicBoolean released = new AtomicBoolean();
            AtomicReference<Runnable> closer = new AtomicReference<>();
            Stream<T> stream = on(operation, db.dsl(c), query, mapper, () -> {
                released.set(true);
                release(connection, ownTransaction);
            }, () -> true, closer::set);
            // The Cleaner's action must not reach the stream (or it would never become unreachable): it holds only
            // the cursor's closer and the released flag.
            Runnable close = closer.get();
            Cleaner.Cleanable cleanable = CLEANER.register(stream, () -> {
                if (!released.get()) {
                    LOG.warn("a {} stream was never closed: its cursor and connection are released now; close it "
                            + "(try-with-resources) where it was opened", operation, openedAt);
                    close.run();
                }
            });
            return stream.onClose(cleanable::clean);
        } catch (SQLException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw db.translate(operation, 1, e);
        }
    }

    /**
     * Streams inside a caller's transaction, on its session: closed when the session ends.
     *
     * @param operation the operation's name
     * @param session   the caller's transaction
     * @param query     the query on a context
     * @param mapper    row to value
     * @param <R>       the record type
     * @param <T>       the value type
     * @return the stream
     */
    <R extends Record, T> Stream<T> in(String operation, Session session, Function<DSLContext, ResultQuery<R>> query,
                                       Function<R, T> mapper) {
        return on(operation, session.dsl(), query, mapper, () -> { }, session::isOpen, session::closeWithSession);
    }

    /** Streams on an external transaction's connection, until the stream is closed or the transaction is ending. */
    private <R extends Record, T> Stream<T> joined(String operation, ExternalTransactions.Joined joined,
                                                   Function<DSLContext, ResultQuery<R>> query, Function<R, T> mapper) {
        AtomicBoolean over = new AtomicBoolean();
        try {
            return on(operation, db.dsl(joined.connection()), query, mapper, joined::release, () -> !over.get(),
                    closer -> joined.beforeCompletion(() -> {
                        over.set(true);
                        closer.run();
                    }));
        } catch (EnrollmentException e) {
            joined.setRollbackOnly(Transactions.unusable(e));
            throw e;
        } catch (RuntimeException e) {
            joined.release();
            EnrollmentException translated = db.translate(operation, 1, e);
            joined.setRollbackOnly(Transactions.unusable(translated));
            throw translated;
        }
    }

    private static void release(Connection c, boolean ownTransaction) {
        try {
            if (ownTransaction) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            LOG.debug("could not end a streaming read", e);
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("could not close a streaming connection", e);
            }
        }
    }

    /**
     * Streams a query's rows on a given context. The cursor (and whatever {@code onClose} releases) is closed when
     * the stream is closed or exhausted, whichever comes first.
     */
    private <R extends Record, T> Stream<T> on(String operation, DSLContext dsl,
                                               Function<DSLContext, ResultQuery<R>> query, Function<R, T> mapper,
                                               Runnable onClose, BooleanSupplier alive,
                                               Consumer<Runnable> registerCloser) {
        // MySQL streams row by row only with Integer.MIN_VALUE; elsewhere a positive size fetches in chunks.
        int fetchSize = db.dialect().isMySqlFamily() ? Integer.MIN_VALUE : FETCH_SIZE;
        Cursor<R> cursor;
        try {
            cursor = query.apply(dsl).fetchSize(fetchSize).fetchLazy();
        } catch (RuntimeException e) {
            onClose.run();
            throw db.translate(operation, 1, e);
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                try {
                    cursor.close();
                } finally {
                    onClose.run();
                }
            }
        };
        try {
            registerCloser.accept(close);
        } catch (RuntimeException e) {
            try {
                close.run();   // nobody else would close the cursor (nor release what onClose releases)
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw db.translate(operation, 1, e);
        }
        Iterator<R> it = cursor.iterator();
        Spliterator<T> spliterator = new Spliterators.AbstractSpliterator<T>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super T> action) {
                if (!alive.getAsBoolean()) {
                    throw new InvalidInputException("transaction",
                            "is over: consume a stream from its repositories inside the work");
                }
                if (closed.get()) {
                    return false;
                }
                R record;
                try {
                    if (!it.hasNext()) {
                        close.run();
                        return false;
                    }
                    record = it.next();
                } catch (DataAccessException e) {
                    close.run();
                    throw db.translate(operation, 1, e);
                }
                try {
                    action.accept(mapper.apply(record));
                } catch (RuntimeException | Error e) {
                    // A failing mapper (or the caller's action): the stream cannot go on, so the cursor (and a
                    // top-level stream's connection) is released now, not whenever the stream is closed, if ever.
                    close.run();
                    throw e;
                }
                return true;
            }
        };
        return StreamSupport.stream(spliterator, false).onClose(close);
    }
}
