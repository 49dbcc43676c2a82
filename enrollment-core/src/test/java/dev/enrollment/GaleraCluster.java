package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Assumptions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A fresh database on the test Galera cluster ({@code .ci/galera start}: 127.0.0.1:4306, 4307, 4308), created on
 * node 1 and replicated to the others, with a pool and an {@link Enrollments} per node; dropped on close.
 * {@code ENROLLMENT_TEST_GALERA_URLS} (comma-separated server URLs) points elsewhere. As with {@link TestDatabase}:
 * skipped locally when the cluster is unreachable or not whole, failed when CI=true.
 */
final class GaleraCluster implements AutoCloseable {
    static final List<String> SERVERS = Arrays.stream(env("ENROLLMENT_TEST_GALERA_URLS",
                    "jdbc:mysql://127.0.0.1:4306/,jdbc:mysql://127.0.0.1:4307/,jdbc:mysql://127.0.0.1:4308/")
            .split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
    private static final String USER = env("ENROLLMENT_TEST_GALERA_USER", "root");
    private static final String PASSWORD = env("ENROLLMENT_TEST_GALERA_PASSWORD", "");
    private static final String OPTIONS = "?useSSL=false&allowPublicKeyRetrieval=true&rewriteBatchedStatements=true";

    /** The history table's name, in one place (renamed by the Open edX compatibility work). */
    static final String HISTORY_TABLE = "student_courseenrollment_history";

    private final String name;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private final List<Enrollments> nodes = new ArrayList<>();

    private GaleraCluster(String name, int poolSize, java.util.function.Consumer<Enrollments.Builder> options) {
        this.name = name;
        for (int i = 0; i < SERVERS.size(); i++) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("galera-" + (i + 1) + "-" + name);
            config.setJdbcUrl(url(i));
            config.setUsername(USER);
            config.setPassword(PASSWORD);
            config.setMaximumPoolSize(poolSize);
            config.setLeakDetectionThreshold(30_000);
            HikariDataSource pool = new HikariDataSource(config);
            pools.add(pool);
            Enrollments.Builder b = Enrollments.builder().dataSource(pool);
            options.accept(b);
            nodes.add(b.build());
        }
    }

    /** A fresh database on the cluster, migrated from node 1, with pools of 10. */
    static GaleraCluster create() {
        return create(10, b -> { });
    }

    /**
     * A fresh database on the cluster, migrated from node 1.
     *
     * @param poolSize each node's pool size
     * @param options  applied to each node's builder before build()
     */
    static GaleraCluster create(int poolSize, java.util.function.Consumer<Enrollments.Builder> options) {
        GaleraCluster c = createUnmigrated(poolSize, options);
        c.node(1).migrate();
        // Every migration applied on every node (other nodes apply writesets a moment later), the last one's
        // rows included: the database's identity, which each node's first call reads.
        long migrations = c.queryLong(1, "SELECT COUNT(*) FROM enrollment_schema_history WHERE success = 1");
        awaitOnEveryNode("SELECT COUNT(*) FROM " + c.name + ".enrollment_schema_history WHERE success = 1",
                migrations);
        awaitOnEveryNode("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '" + c.name
                + "' AND table_name = 'enrollment_database'", 1);
        awaitOnEveryNode("SELECT COUNT(*) FROM " + c.name + ".enrollment_database", 1);
        return c;
    }

    /** A fresh, empty database on the cluster: created on node 1, visible on every node before this returns. */
    static GaleraCluster createUnmigrated(int poolSize, java.util.function.Consumer<Enrollments.Builder> options) {
        requireCluster();
        String name = "gal_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin(0, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
        awaitOnEveryNode("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '" + name + "'", 1);
        return new GaleraCluster(name, poolSize, options);
    }

    /** Fails (CI) or skips (locally) unless every node answers and the cluster has them all. */
    static void requireCluster() {
        for (int i = 0; i < SERVERS.size(); i++) {
            try (Connection c = adminConnection(i); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'")) {
                long size = rs.next() ? rs.getLong(2) : 0;
                if (size < SERVERS.size()) {
                    unavailable("Galera node " + (i + 1) + " at " + SERVERS.get(i) + " is in a cluster of " + size
                            + ", not " + SERVERS.size(), null);
                }
            } catch (SQLException e) {
                unavailable("Galera node " + (i + 1) + " is not reachable at " + SERVERS.get(i) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private static void unavailable(String message, Throwable cause) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " (CI=true: Galera tests must run, not skip; "
                    + ".ci/galera start)", cause);
        }
        Assumptions.abort(message + " (skipped outside CI; start the cluster with .ci/galera start)");
    }

    static Connection adminConnection(int index) throws SQLException {
        return DriverManager.getConnection(SERVERS.get(index) + OPTIONS, USER, PASSWORD);
    }

    private static void admin(int index, String sql) {
        try (Connection c = adminConnection(index); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("admin statement failed on Galera node " + (index + 1) + ": "
                    + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    int size() {
        return nodes.size();
    }

    /** The JDBC URL of node n (from 1) for this database. */
    String url(int index) {
        return SERVERS.get(index) + name + OPTIONS;
    }

    /** The Enrollments on node n, from 1. */
    Enrollments node(int n) {
        return nodes.get(n - 1);
    }

    /** The pool on node n, from 1. */
    DataSource dataSource(int n) {
        return pools.get(n - 1);
    }

    String user() {
        return USER;
    }

    String password() {
        return PASSWORD;
    }

    /** A single long from a query of the test's own, on node n. */
    long queryLong(int n, String sql) {
        try (Connection c = pools.get(n - 1).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The longs of a query's first column, on node n. */
    List<Long> ids(int n, String sql) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = pools.get(n - 1).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** Runs a statement of the test's own on node n. */
    void execute(int n, String sql) {
        try (Connection c = pools.get(n - 1).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until every node has applied what the cluster committed so far (a causal read through
     * {@code wsrep_sync_wait}), then returns the query's long on each node.
     */
    List<Long> onEveryNode(String sql) {
        List<Long> values = new ArrayList<>();
        for (HikariDataSource pool : pools) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET SESSION wsrep_sync_wait = 1");
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    values.add(rs.getLong(1));
                } finally {
                    s.execute("SET SESSION wsrep_sync_wait = 0");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return values;
    }

    private static void awaitOnEveryNode(String sql, long expected) {
        for (int i = 0; i < SERVERS.size(); i++) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (true) {
                long v;
                try (Connection c = adminConnection(i); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    v = rs.getLong(1);
                } catch (SQLException e) {
                    v = -1;   // not applied there yet (a table the statement names may not exist yet)
                }
                if (v == expected) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + (i + 1) + " did not apply: " + sql);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** History rows of each type ('+', '~', '-') per enrollment id, read on node n. */
    Map<Long, Map<String, Long>> historyByEnrollment(int n) {
        Map<Long, Map<String, Long>> byId = new HashMap<>();
        try (Connection c = pools.get(n - 1).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, history_type, COUNT(*) FROM " + HISTORY_TABLE
                     + " GROUP BY id, history_type");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                byId.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return byId;
    }

    /** Counts history rows of one type, read on node n. */
    long historyRows(int n, String type) {
        return queryLong(n, "SELECT COUNT(*) FROM " + HISTORY_TABLE + " WHERE history_type = '" + type + "'");
    }

    /** A Galera status counter of node n (from 1), such as wsrep_local_cert_failures. */
    static long status(int n, String variable) {
        try (Connection c = adminConnection(n - 1);
             PreparedStatement ps = c.prepareStatement("SHOW GLOBAL STATUS LIKE ?")) {
            ps.setString(1, variable);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(2) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Enrollments e : nodes) {
            e.close();
        }
        for (HikariDataSource p : pools) {
            p.close();
        }
        admin(0, "DROP DATABASE IF EXISTS " + name);
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
