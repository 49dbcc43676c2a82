package dev.enrollment.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar enrollment-bench/target/enrollment-bench.jar [--quick] [--scenario NAME]...}: runs the
 * scenarios against a MariaDB/MySQL server on this machine and prints Markdown tables of figures and ratios; the
 * tables and SVG charts are also written under {@code bench-results/<time>/}. Exit code 0 when every scenario ran
 * (whether or not it met its targets), 1 when one failed, 2 for a usage error.
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: java -jar enrollment-bench.jar [--quick] [--scenario NAME]... [--server URL] [--user USER]"
                    + " [--out DIR]",
            "  --quick          short runs (all scenarios in under 2 minutes); default: full (under 15 minutes)",
            "  --scenario NAME  run only this scenario (repeatable, or comma-separated); default: all but galera and postgres",
            "  --server URL     default jdbc:mysql://127.0.0.1:3306/ (loopback addresses only)",
            "  --user USER      default root; the password, if any, is read from ENROLLMENT_BENCH_PASSWORD",
            "  --out DIR        default bench-results (a subdirectory per run)",
            "scenarios:");

    /** Scenarios that need servers of their own (a Galera cluster, PostgreSQL): run only when named with --scenario. */
    static final java.util.Set<String> ON_REQUEST = java.util.Set.of("galera", "postgres");

    private Main() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(run(args, System.out, System.err));
    }

    static Map<String, Scenario> scenarios() {
        Map<String, Scenario> all = new LinkedHashMap<>();
        for (Scenario s : List.of(new ContentionScenario(), new IsolationScenario(), new OverheadScenario(),
                new BulkScenario(), new OrphanAuditScenario(), new CapacityScenario(), new GaleraScenario(),
                new PostgresScenario(), new HistoryKeysScenario())) {
            all.put(s.name(), s);
        }
        return all;
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Scenario> all = scenarios();
        boolean quick = false;
        List<String> chosen = new ArrayList<>();
        String serverUrl = "jdbc:mysql://127.0.0.1:3306/";
        String user = "root";
        String outDir = "bench-results";
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--scenario" -> {
                        for (String n : value(args, ++i).split(",")) {
                            if (!all.containsKey(n.trim())) {
                                throw new IllegalArgumentException("unknown scenario: " + n);
                            }
                            chosen.add(n.trim());
                        }
                    }
                    case "--server" -> serverUrl = value(args, ++i);
                    case "--user" -> user = value(args, ++i);
                    case "--out" -> outDir = value(args, ++i);
                    case "--help", "-h" -> {
                        out.println(usage(all));
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option: " + args[i]);
                }
            }
            Server.requireLoopback(serverUrl);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(usage(all));
            return 2;
        }
        if (chosen.isEmpty()) {
            chosen.addAll(all.keySet());
            chosen.removeAll(ON_REQUEST);
        }
        String password = System.getenv().getOrDefault("ENROLLMENT_BENCH_PASSWORD", "");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        long began = System.nanoTime();
        int failed = 0;
        try (Server server = new Server(serverUrl, user, password)) {
            Machine machine = Machine.read(server);
            Report report = new Report(Path.of(outDir, stamp + (quick ? "-quick" : "")), out);
            report.machine(machine.describe());
            report.chartStamp(String.format(Locale.ROOT, "run %s%s; %d cores, server %s; load average at start %.1f",
                    stamp, quick ? " --quick" : "", machine.cores(), machine.server(), Machine.loadAverage()));
            report.paragraph("# enrollment-bench, " + stamp + (quick ? " (--quick)" : " (full)"));
            report.paragraph("Machine: " + machine.describe() + (Machine.cpuModel().isEmpty() ? ""
                    : "; CPU " + Machine.cpuModel()) + String.format(Locale.ROOT, "; load average at start %.2f.",
                    Machine.loadAverage()));
            for (String name : chosen) {
                Scenario s = all.get(name);
                long t0 = System.nanoTime();
                out.println("\n== " + name + ": " + s.summary());
                try {
                    s.run(server, quick, report);
                } catch (Exception | AssertionError e) {
                    failed++;
                    err.println(name + " failed: " + e);
                    e.printStackTrace(err);
                    report.paragraph("**" + name + " failed:** " + e);
                }
                report.progress(name + " took " + seconds(System.nanoTime() - t0));
            }
            report.paragraph("_Total time " + seconds(System.nanoTime() - began) + "._");
            report.finish();
        } catch (RuntimeException e) {
            err.println("benchmark failed: " + e.getMessage());
            return 1;
        }
        return failed == 0 ? 0 : 1;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static String usage(Map<String, Scenario> all) {
        StringBuilder s = new StringBuilder(USAGE);
        for (Scenario sc : all.values()) {
            s.append(String.format(Locale.ROOT, "%n  %-11s %s", sc.name(), sc.summary()));
        }
        return s.toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", Duration.ofNanos(nanos).toMillis() / 1000.0);
    }
}
