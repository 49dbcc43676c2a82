package dev.enrollment.bench;

import com.mysql.cj.MysqlConnection;
import com.mysql.cj.Query;
import com.mysql.cj.interceptors.QueryInterceptor;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.Resultset;
import com.mysql.cj.protocol.ServerSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Counts and captures what goes to the server on the wire: a mysql-connector-j query interceptor, so it sees every
 * statement the driver sends, transaction control included ({@code SET autocommit}, {@code commit}), whichever
 * code (jOOQ, HikariCP, hand-written JDBC) asked for it. Installed on every benchmark pool with the driver property
 * {@code queryInterceptors}; it does nothing on a thread that has not {@link #start started} a capture, so the
 * measured runs pay one thread-local read per statement, for the library and the baseline alike.
 *
 * <p>The driver makes one instance per connection; the captures are per thread.
 */
public final class RoundTrips implements QueryInterceptor {
    private static final ThreadLocal<Capture> CAPTURE = new ThreadLocal<>();
    /** A statement slower than this counts as {@link Capture#slow() slow}: the orphan audit's target. */
    static final long SLOW_NANOS = 100_000_000L;

    /** What one thread sent between {@link #start} and {@link #stop}. */
    public static final class Capture {
        private final boolean keepText;
        private final List<String> statements = new ArrayList<>();
        private long count;
        private long startedAt;
        private long longestNanos;
        private long totalNanos;
        private long slow;
        private String longestSql = "";
        private Supplier<String> current;

        private Capture(boolean keepText) {
            this.keepText = keepText;
        }

        /** @return statements sent, transaction control included */
        public long count() {
            return count;
        }

        /** @return their text (client-side prepared statements with values inlined), when kept */
        public List<String> statements() {
            return statements;
        }

        /** @return the longest statement's time, from sending it to reading its result, in nanoseconds */
        public long longestNanos() {
            return longestNanos;
        }

        /** @return the time of all statements, each from sending it to reading its result, in nanoseconds */
        public long totalNanos() {
            return totalNanos;
        }

        /** @return statements that took longer than {@value RoundTrips#SLOW_NANOS} ns */
        public long slow() {
            return slow;
        }

        /** @return the longest statement's text */
        public String longestSql() {
            return longestSql;
        }
    }

    /**
     * Starts capturing what this thread sends.
     *
     * @param keepText whether to keep each statement's text (for small samples)
     */
    public static void start(boolean keepText) {
        CAPTURE.set(new Capture(keepText));
    }

    /**
     * Stops capturing on this thread.
     *
     * @return what was sent since {@link #start}
     */
    public static Capture stop() {
        Capture c = CAPTURE.get();
        CAPTURE.remove();
        if (c == null) {
            throw new IllegalStateException("no capture was started on this thread");
        }
        return c;
    }

    /**
     * Sets this thread's capture aside, so that what follows is not counted in it (until {@link #resume}).
     *
     * @return the capture set aside, or null if none was running
     */
    public static Capture suspend() {
        Capture c = CAPTURE.get();
        CAPTURE.remove();
        return c;
    }

    /**
     * Takes up a capture set aside by {@link #suspend}.
     *
     * @param c the capture, or null for none
     */
    public static void resume(Capture c) {
        if (c == null) {
            CAPTURE.remove();
        } else {
            CAPTURE.set(c);
        }
    }

    @Override
    public QueryInterceptor init(MysqlConnection conn, Properties props, Log log) {
        return this;
    }

    @Override
    public <T extends Resultset> T preProcess(Supplier<String> sql, Query interceptedQuery) {
        Capture c = CAPTURE.get();
        if (c != null) {
            c.count++;
            c.current = sql;
            if (c.keepText) {
                c.statements.add(sql.get());
            }
            c.startedAt = System.nanoTime();
        }
        return null;
    }

    @Override
    public <T extends Resultset> T postProcess(Supplier<String> sql, Query interceptedQuery, T originalResultSet,
                                               ServerSession serverSession) {
        Capture c = CAPTURE.get();
        if (c != null && c.startedAt != 0) {
            long took = System.nanoTime() - c.startedAt;
            c.startedAt = 0;
            c.totalNanos += took;
            if (took > SLOW_NANOS) {
                c.slow++;
            }
            if (took > c.longestNanos) {
                c.longestNanos = took;
                c.longestSql = c.current == null ? "" : c.current.get();
            }
        }
        return null;
    }

    @Override
    public boolean executeTopLevelOnly() {
        return false;   // count everything, the driver's own statements included
    }

    @Override
    public void destroy() {
    }
}
