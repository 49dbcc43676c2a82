package dev.enrollment.bench;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MariaDB (or MySQL) server the benchmark runs on: only a loopback address is accepted. Every database the
 * benchmark makes is named {@code enrollment_bench_<run>_<n>} and dropped when its run ends, when the benchmark
 * ends, and (through a shutdown hook) when it is interrupted.
 */
public final class Server implements AutoCloseable {
    /** The prefix of every database the benchmark creates. */
    public static final String DATABASE_PREFIX = "enrollment_bench_";
    /** Driver properties of the library's own pool ({@code Enrollments.Builder.jdbcUrl}), plus the wire counter. */
    static final String DRIVER_OPTIONS = "useSSL=false&allowPublicKeyRetrieval=true"
            + "&useLocalSessionState=true&cachePrepStmts=true&prepStmtCacheSize=250&prepStmtCacheSqlLimit=131072"
            + "&rewriteBatchedStatements=true&queryInterceptors=" + RoundTrips.class.getName();
    /** The same for PostgreSQL: batched inserts rewritten into multi-row ones, as on MySQL. No wire counter. */
    static final String POSTGRES_OPTIONS = "reWriteBatchedInserts=true";

    private final String serverUrl;
    private final String user;
    private final String password;
    private final String runId;
    private final AtomicInteger sequence = new AtomicInteger();
    private final Set<String> live = new LinkedHashSet<>();
    private final Thread hook;

    /**
     * Connects to a server.
     *
     * @param serverUrl a {@code jdbc:mysql://HOST:PORT/} URL on a loopback address, with no database
     * @param user      the account (needs CREATE and DROP DATABASE)
     * @param password  the password, never printed
     */
    public Server(String serverUrl, String user, String password) {
        this.serverUrl = requireLoopback(serverUrl);
        this.user = user;
        this.password = password;
        this.runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MMddHHmmss"))
                + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        try (Connection c = admin()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + this.serverUrl + " as " + user + ": "
                    + e.getMessage(), e);
        }
        this.hook = new Thread(this::dropAll, "enrollment-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Refuses anything but a loopback server: the benchmark sends load, and only to this machine.
     *
     * @param url the server URL
     * @return the URL, ending with '/'
     */
    static String requireLoopback(String url) {
        if (url == null || !(url.startsWith("jdbc:mysql://") || url.startsWith("jdbc:mariadb://")
                || url.startsWith("jdbc:postgresql://"))) {
            throw new IllegalArgumentException("--server must be a jdbc:mysql://127.0.0.1:PORT/ or "
                    + "jdbc:postgresql://127.0.0.1:PORT/ URL");
        }
        boolean pg = url.startsWith("jdbc:postgresql://");
        URI uri = URI.create(url.substring("jdbc:".length()));
        String host = uri.getHost();
        if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
            throw new IllegalArgumentException("--server must name a loopback address (127.0.0.1), not " + host);
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("--server names a server, not a database: drop '" + path + "'");
        }
        if (uri.getQuery() != null) {
            throw new IllegalArgumentException("--server takes no options; the benchmark sets the library's own");
        }
        return (pg ? "jdbc:postgresql://" : "jdbc:mysql://") + host + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + "/";
    }

    /** @return whether the server is PostgreSQL (else MySQL or MariaDB) */
    public boolean postgres() {
        return serverUrl.startsWith("jdbc:postgresql:");
    }

    /** @return the server URL, no database */
    public String url() {
        return serverUrl;
    }

    /** @return a connection to the server with no default database */
    public Connection admin() throws SQLException {
        if (postgres()) {
            return DriverManager.getConnection(serverUrl + "postgres", user, password);
        }
        return DriverManager.getConnection(serverUrl + "?useSSL=false&allowPublicKeyRetrieval=true", user, password);
    }

    /**
     * Creates a fresh, empty database.
     *
     * @param label what it is for, printed in progress lines
     * @return the database; close it to drop it
     */
    public BenchDatabase create(String label) {
        String name = DATABASE_PREFIX + runId + "_" + sequence.incrementAndGet();
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + (postgres() ? "" : " CHARACTER SET utf8mb4"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        synchronized (live) {
            live.add(name);
        }
        return new BenchDatabase(this, name, label,
                serverUrl + name + "?" + (postgres() ? POSTGRES_OPTIONS : DRIVER_OPTIONS), user, password);
    }

    /**
     * Drops a database the benchmark created.
     *
     * @param name its name
     */
    void drop(String name) {
        if (!name.startsWith(DATABASE_PREFIX)) {
            throw new IllegalArgumentException("not a benchmark database: " + name);
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + (postgres() ? " WITH (FORCE)" : ""));
            synchronized (live) {
                live.remove(name);
            }
        } catch (SQLException e) {
            System.err.println("could not drop database " + name + ": " + e.getMessage()
                    + " (drop it by hand: DROP DATABASE " + name + ")");
        }
    }

    private void dropAll() {
        List<String> names;
        synchronized (live) {
            names = new ArrayList<>(live);
        }
        for (String name : names) {
            drop(name);
        }
    }

    /**
     * Reads the server's InnoDB lock counters. They are server-wide: another client's activity during a run adds to
     * them, so runs on a busy server are noisy.
     *
     * @return counter name to value; a counter the server lacks is absent
     */
    public Map<String, Long> lockCounters() {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = admin(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN "
                    + "('Innodb_row_lock_waits', 'Innodb_row_lock_time', 'Innodb_deadlocks')")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            // MySQL has no Innodb_deadlocks status; both servers keep these metrics (enabled by default).
            try (ResultSet rs = s.executeQuery("SELECT name, count FROM information_schema.innodb_metrics "
                    + "WHERE name IN ('lock_deadlocks', 'lock_timeouts')")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the server's lock counters: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        dropAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }
}
