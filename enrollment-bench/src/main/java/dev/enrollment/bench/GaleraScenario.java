package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.User;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Contention across the nodes of a MariaDB Galera cluster ({@code .ci/galera start}): enrolling threads on node 1,
 * through the library, on a few hot users, while user-row writers on node 2 hold those users' rows; the FK baseline
 * (A) against the schema as shipped (B), in the contention scenario's {@code plain} and {@code touch} workloads.
 * With the FK, an enrollment replicated to node 2 needs the parent row that a local writer holds: the replicated
 * write wins and the writer's transaction is aborted (a brute-force abort). Reports enroll/s, p99, the aborts each
 * side's clients saw, and each node's deltas of {@code wsrep_local_cert_failures}, {@code wsrep_local_bf_aborts}
 * and {@code wsrep_local_replays}. Not part of a default run: {@code --scenario galera}; the nodes come from
 * {@code ENROLLMENT_BENCH_GALERA} (default 127.0.0.1:4306, 4307, 4308).
 */
public final class GaleraScenario implements Scenario {
    static final List<String> NODES = Arrays.stream(System.getenv().getOrDefault("ENROLLMENT_BENCH_GALERA",
                    "jdbc:mysql://127.0.0.1:4306/,jdbc:mysql://127.0.0.1:4307/,jdbc:mysql://127.0.0.1:4308/")
            .split(",")).map(String::trim).collect(Collectors.toList());
    private static final String[] COUNTERS = {"wsrep_local_cert_failures", "wsrep_local_bf_aborts",
        "wsrep_local_replays"};

    @Override
    public String name() {
        return "galera";
    }

    @Override
    public String summary() {
        return "Galera: enrollers on node 1, user-row writers on node 2: FK baseline (A) vs shipped schema (B); "
                + "aborts on both sides and wsrep counters (needs .ci/galera start; not in a default run)";
    }

    /** What one run measured. */
    record Run(String workload, String variant, Workers.Outcome enrollers, double writerTxPerSec, long writerTx,
               long writerAborts, long[][] wsrep, double load) {
    }

    @Override
    public void run(Server ignored, boolean quick, Report report) throws Exception {
        String user = "root";
        String password = System.getenv().getOrDefault("ENROLLMENT_BENCH_PASSWORD", "");
        for (String n : NODES) {
            Server.requireLoopback(n);
        }
        EnrollLoad.Size size = EnrollLoad.Size.of(quick);
        int users = quick ? 5_000 : size.users();
        report.heading("Galera: enrollers on node 1, user-row writers on node 2");
        report.paragraph(String.format(Locale.ROOT, "A 3-node MariaDB Galera cluster on this machine (`.ci/galera "
                        + "start`: nodes on %s). %,d users; %d threads on node 1 call the library for random pairs "
                        + "of %d hot users and %,d courses, while %d writer threads on node 2 each own a disjoint "
                        + "share of the hot users and loop `BEGIN; UPDATE auth_user SET last_login = ? WHERE id = ?; "
                        + "sleep %d ms; COMMIT`. Warm-up %d s, measured %d s, each run on a fresh database created on "
                        + "node 1. A = plus `FOREIGN KEY (user_id) REFERENCES auth_user(id)`; B = as shipped. "
                        + "Enroller aborts are calls that failed with 1213 after the library's bounded retry (in "
                        + "`touch`, the caller's transaction is not retried); writer aborts are writer transactions "
                        + "rolled back with 1213 (brute-force aborted or failing certification). wsrep counters are "
                        + "deltas over the window per node: cert failures / BF aborts / replays.",
                String.join(", ", NODES), users, size.enrollers(), size.hotUsers(), size.courses(), size.writers(),
                size.hold().toMillis(), size.warmup().toSeconds(), size.measure().toSeconds()));
        report.paragraph("- " + Workload.PLAIN.describe() + "\n- " + Workload.TOUCH.describe());

        List<Run> runs = new ArrayList<>();
        try (Server node1 = new Server(NODES.get(0), user, password)) {
            report.progress("JVM warm-up (not recorded)");
            run(node1, users, size.jvmWarmup(), Workload.PLAIN, false, user, password, report);
            for (Workload w : List.of(Workload.PLAIN, Workload.TOUCH)) {
                for (boolean fk : new boolean[] {true, false}) {
                    runs.add(run(node1, users, size, w, fk, user, password, report));
                }
            }
        }
        Table t = new Table("workload", "variant ", "enroll/s", "p50 ms", "p99 ms", "enroller aborts (client)",
                "other enroller errors", "writer tx/s", "writer aborts (client)", "writer aborts %",
                "node 1 cert/BF/replays", "node 2 cert/BF/replays", "node 3 cert/BF/replays", "load avg");
        for (Run r : runs) {
            Workers.Outcome o = r.enrollers();
            long attempts = r.writerTx() + r.writerAborts();
            t.row(r.workload(), r.variant(), Format.rate(o.throughput()),
                    Format.millis(o.latency().percentileMillis(50)), Format.millis(o.latency().percentileMillis(99)),
                    Format.count(o.deadlocks() + o.lockTimeouts()), Format.count(o.otherErrors()),
                    Format.rate(r.writerTxPerSec()), Format.count(r.writerAborts()),
                    attempts == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * r.writerAborts() / attempts),
                    wsrep(r.wsrep()[0]), wsrep(r.wsrep()[1]), wsrep(r.wsrep()[2]),
                    String.format(Locale.ROOT, "%.1f", r.load()));
        }
        report.table(t);
    }

    private static String wsrep(long[] d) {
        return d[0] + " / " + d[1] + " / " + d[2];
    }

    private Run run(Server node1, int users, EnrollLoad.Size size, Workload workload, boolean fk, String user,
                    String password, Report report) throws Exception {
        String variant = fk ? "A (FK)" : "B (no FK)";
        String label = workload.name() + "/" + variant;
        try (BenchDatabase db = node1.create("galera " + label).open(size.enrollers() + 2)) {
            long[] ids = Loader.users(db, users);
            if (fk) {
                db.execute(EnrollLoad.BASELINE_FK);
            }
            List<User> hot = new ArrayList<>();
            int stride = users / size.hotUsers();
            for (int i = 0; i < size.hotUsers(); i++) {
                long id = ids[i * stride];
                hot.add(db.enrollments().users().findById(id).orElseThrow());
            }
            List<CourseKey> courses = new ArrayList<>();
            for (int i = 0; i < size.courses(); i++) {
                courses.add(CourseKey.parse("course-v1:Galera+C" + i + "+2026"));
            }
            String node2 = NODES.get(1) + db.name() + "?useSSL=false&allowPublicKeyRetrieval=true";
            awaitOnNode2(node2, user, password, users);
            report.progress(label + ": " + db.name() + " ready on node 1 and node 2; running "
                    + size.warmup().plus(size.measure()).toSeconds() + " s");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writerTx = new AtomicLong();
            AtomicLong writerAborts = new AtomicLong();
            List<Throwable> failures = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < size.writers(); w++) {
                List<Long> owned = new ArrayList<>();
                for (int i = w; i < hot.size(); i += size.writers()) {
                    owned.add(hot.get(i).id().getAsLong());
                }
                Thread t = new Thread(() -> EnrollLoad.write(() -> DriverManager.getConnection(node2, user, password),
                        owned, size.hold(), stop, writerTx,
                        writerAborts, failures), "galera-writer-" + w);
                t.setDaemon(true);
                writers.add(t);
                t.start();
            }
            long[][] before = new long[3][];
            long[][] after = new long[3][];
            long[] marks = new long[4];
            double[] load = new double[1];
            Workers.Outcome outcome = Workers.run("galera-enroller", size.enrollers(), size.warmup(), size.measure(),
                    (thread, random) -> workload.enroll(db, hot.get(random.nextInt(hot.size())),
                            courses.get(random.nextInt(courses.size()))),
                    () -> {
                        read(before, user, password);
                        marks[0] = writerTx.get();
                        marks[2] = writerAborts.get();
                        load[0] = Machine.loadAverage();
                    },
                    () -> {
                        marks[1] = writerTx.get();
                        marks[3] = writerAborts.get();
                        read(after, user, password);
                    });
            stop.set(true);
            for (Thread t : writers) {
                t.join(10_000);
            }
            synchronized (failures) {
                if (!failures.isEmpty()) {
                    throw new IllegalStateException("a user-row writer on node 2 failed: " + failures.get(0),
                            failures.get(0));
                }
            }
            if (outcome.otherErrors() > 0) {
                report.progress(label + ": " + outcome.otherErrors() + " failed calls, first: "
                        + outcome.firstError());
            }
            long[][] delta = new long[3][COUNTERS.length];
            for (int n = 0; n < 3; n++) {
                for (int k = 0; k < COUNTERS.length; k++) {
                    delta[n][k] = after[n][k] - before[n][k];
                }
            }
            long tx = marks[1] - marks[0];
            return new Run(workload.name(), variant, outcome, tx / outcome.seconds(), tx, marks[3] - marks[2],
                    delta, load[0]);
        }
    }

    /** Waits until node 2 has applied the loaded users (and the migration). */
    private static void awaitOnNode2(String url, String user, String password, int users) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM auth_user")) {
                rs.next();
                if (rs.getLong(1) >= users) {
                    return;
                }
            } catch (SQLException notYet) {
                // the database or its tables are not there yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node 2 did not apply the loaded users within 120 s");
            }
            Thread.sleep(200);
        }
    }

    private static void read(long[][] into, String user, String password) {
        for (int n = 0; n < 3; n++) {
            into[n] = new long[COUNTERS.length];
            try (Connection c = DriverManager.getConnection(NODES.get(n) + "?useSSL=false&allowPublicKeyRetrieval=true",
                    user, password);
                 PreparedStatement ps = c.prepareStatement("SHOW GLOBAL STATUS LIKE ?")) {
                for (int k = 0; k < COUNTERS.length; k++) {
                    ps.setString(1, COUNTERS[k]);
                    try (ResultSet rs = ps.executeQuery()) {
                        into[n][k] = rs.next() ? rs.getLong(2) : 0;
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read node " + (n + 1) + "'s wsrep counters: "
                        + e.getMessage(), e);
            }
        }
    }
}
