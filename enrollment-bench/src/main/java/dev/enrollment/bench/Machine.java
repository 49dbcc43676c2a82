package dev.enrollment.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine and server settings a table was measured on, printed with every table: figures mean nothing
 * without them.
 *
 * @param cores     processors the JVM sees
 * @param memoryGiB physical memory
 * @param jvm       Java runtime version
 * @param server    server version string
 * @param settings  the server settings that move these figures
 */
public record Machine(int cores, double memoryGiB, String jvm, String server, Map<String, String> settings) {
    private static final List<String> SETTINGS = List.of("innodb_buffer_pool_size", "innodb_flush_log_at_trx_commit",
            "innodb_lock_wait_timeout", "tx_isolation", "transaction_isolation", "innodb_deadlock_detect");

    /**
     * Reads the machine and the server.
     *
     * @param server the server
     * @return the description
     */
    public static Machine read(Server server) {
        long bytes = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            bytes = os.getTotalMemorySize();
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String version;
        try (Connection c = server.admin(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
                rs.next();
                version = rs.getString(1);
            }
            try (ResultSet rs = s.executeQuery(server.postgres() ? "SELECT name, setting FROM pg_settings"
                    : "SHOW GLOBAL VARIABLES")) {
                Map<String, String> all = new LinkedHashMap<>();
                while (rs.next()) {
                    all.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
                }
                for (String key : SETTINGS) {
                    if (all.containsKey(key)) {
                        settings.put(key, all.get(key));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the server's settings: " + e.getMessage(), e);
        }
        if (settings.containsKey("tx_isolation") && settings.containsKey("transaction_isolation")) {
            settings.remove("tx_isolation");
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), bytes / (1024.0 * 1024 * 1024),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                version, settings);
    }

    /** @return the load average over the last minute, or -1 where the OS does not say */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** @return the first line of /proc/cpuinfo's model name, or "" */
    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    /** @return one line for under a table */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d cores, %.1f GiB; %s; server %s", cores, memoryGiB, jvm, server));
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String value = e.getValue();
            if (e.getKey().equals("innodb_buffer_pool_size")) {
                value = Long.parseLong(value) / (1024 * 1024) + " MiB";
            } else if (e.getKey().equals("innodb_lock_wait_timeout")) {
                value = value + " s";
            }
            s.append("; ").append(e.getKey()).append('=').append(value);
        }
        return s.toString();
    }
}
