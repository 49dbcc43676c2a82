package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.Enrollments;
import dev.enrollment.User;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Contention on PostgreSQL: enrolling threads (the library's {@code getOrCreate}) on a few hot users while writer
 * threads hold those users' rows, with the FK baseline (A) and without it (B), against two kinds of writers:
 * {@code update} ({@code UPDATE auth_user SET last_login = ...}, a FOR NO KEY UPDATE lock, which does not conflict
 * with the FK check's FOR KEY SHARE) and {@code for-update} ({@code SELECT ... FOR UPDATE} first, as Django's
 * {@code select_for_update} does, which does). Reports enroll/s, p99, lock waiters sampled from {@code pg_locks}
 * every 50 ms, deadlocks from {@code pg_stat_database}, and the MultiXact ids consumed (the FK check's shared row
 * locks on rows that a writer also locks make MultiXacts). Not part of a default run: {@code --scenario postgres};
 * the server is {@code ENROLLMENT_BENCH_POSTGRES} (default {@code jdbc:postgresql://127.0.0.1:5432/}, user
 * postgres, password from {@code ENROLLMENT_BENCH_POSTGRES_PASSWORD}).
 */
public final class PostgresScenario implements Scenario {
    static final String SERVER = System.getenv().getOrDefault("ENROLLMENT_BENCH_POSTGRES",
            "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = System.getenv().getOrDefault("ENROLLMENT_BENCH_POSTGRES_USER", "postgres");
    private static final String PASSWORD = System.getenv().getOrDefault("ENROLLMENT_BENCH_POSTGRES_PASSWORD", "");
    private static final String FOR_UPDATE = "SELECT id FROM auth_user WHERE id = ? FOR UPDATE";
    private static final String TOUCH = "UPDATE auth_user SET last_login = ? WHERE id = ?";

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String summary() {
        return "PostgreSQL: enrollers on hot users against UPDATE writers and SELECT ... FOR UPDATE writers: FK "
                + "baseline (A) vs shipped schema (B); lock waiters, deadlocks, MultiXacts (not in a default run)";
    }

    /** One run's figures. */
    record Run(String writers, String variant, Workers.Outcome enrollers, double writerTxPerSec, double meanWaiters,
               long maxWaiters, long deadlocks, long multiXacts, double load) {
    }

    @Override
    public void run(Server ignored, boolean quick, Report report) throws Exception {
        requireLoopback(SERVER);
        EnrollLoad.Size size = EnrollLoad.Size.of(quick);
        int users = quick ? 5_000 : size.users();
        report.heading("PostgreSQL: UPDATE writers and SELECT ... FOR UPDATE writers");
        report.paragraph(String.format(Locale.ROOT, "PostgreSQL at %s. %,d users; %d threads call `getOrCreate` "
                        + "through the library for random pairs of %d hot users and %,d courses, while %d writer "
                        + "threads each own a disjoint share of the hot users and loop `BEGIN; [SELECT id FROM "
                        + "auth_user WHERE id = ? FOR UPDATE;] UPDATE auth_user SET last_login = ? WHERE id = ?; "
                        + "sleep %d ms; COMMIT`. Warm-up %d s, measured %d s, each run on a fresh database. A = plus "
                        + "`FOREIGN KEY (user_id) REFERENCES auth_user(id)`; B = as shipped. Lock waiters: rows of "
                        + "`pg_locks` not granted in the run's database, sampled every 50 ms (mean and max); "
                        + "deadlocks: the delta of `pg_stat_database.deadlocks`; MultiXacts: the delta of "
                        + "`mxid_age(datminmxid)` over the window (server-wide).",
                SERVER, users, size.enrollers(), size.hotUsers(), size.courses(), size.writers(),
                size.hold().toMillis(), size.warmup().toSeconds(), size.measure().toSeconds()));
        report.progress("JVM warm-up (not recorded)");
        run(users, size.jvmWarmup(), false, false, report);
        List<Run> runs = new ArrayList<>();
        for (boolean forUpdate : new boolean[] {false, true}) {
            for (boolean fk : new boolean[] {true, false}) {
                runs.add(run(users, size, forUpdate, fk, report));
            }
        }
        Table t = new Table("writers", "variant ", "enroll/s", "p50 ms", "p99 ms", "enroller errors",
                "writer tx/s", "lock waiters (mean)", "lock waiters (max)", "deadlocks", "MultiXacts", "load avg");
        for (Run r : runs) {
            Workers.Outcome o = r.enrollers();
            t.row(r.writers(), r.variant(), Format.rate(o.throughput()),
                    Format.millis(o.latency().percentileMillis(50)), Format.millis(o.latency().percentileMillis(99)),
                    Format.count(o.deadlocks() + o.lockTimeouts() + o.otherErrors()), Format.rate(r.writerTxPerSec()),
                    String.format(Locale.ROOT, "%.2f", r.meanWaiters()), Format.count(r.maxWaiters()),
                    Format.count(r.deadlocks()), Format.count(r.multiXacts()),
                    String.format(Locale.ROOT, "%.1f", r.load()));
        }
        report.table(t);
        Table ratios = new Table("writers", "lock waiters A/B", "p99 A/B", "throughput B/A");
        for (int i = 0; i < runs.size(); i += 2) {
            Run a = runs.get(i);
            Run b = runs.get(i + 1);
            ratios.row(a.writers(), Format.ratio(a.meanWaiters(), b.meanWaiters()),
                    Format.ratio(a.enrollers().latency().percentileMillis(99),
                            b.enrollers().latency().percentileMillis(99)),
                    Format.ratio(b.enrollers().throughput(), a.enrollers().throughput()));
        }
        report.table(ratios);
    }

    static void requireLoopback(String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("ENROLLMENT_BENCH_POSTGRES must be a jdbc:postgresql://127.0.0.1:PORT/ URL");
        }
        String host = URI.create(url.substring("jdbc:".length())).getHost();
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            throw new IllegalArgumentException("ENROLLMENT_BENCH_POSTGRES must name a loopback address, not " + host);
        }
    }

    private Run run(int users, EnrollLoad.Size size, boolean forUpdate, boolean fk, Report report) throws Exception {
        String writers = forUpdate ? "for-update" : "update";
        String variant = fk ? "A (FK)" : "B (no FK)";
        String name = Server.DATABASE_PREFIX + "pg_" + Long.toHexString(System.nanoTime());
        admin("CREATE DATABASE " + name);
        try {
            String url = SERVER + name;
            try (Enrollments e = Enrollments.builder().jdbcUrl(url, USER, PASSWORD)
                    .maximumPoolSize(size.enrollers() + 2).build()) {
                e.migrate();
                long[] ids = load(url, users);
                if (fk) {
                    execute(url, EnrollLoad.BASELINE_FK);
                }
                List<User> hot = new ArrayList<>();
                int stride = users / size.hotUsers();
                for (int i = 0; i < size.hotUsers(); i++) {
                    hot.add(e.users().findById(ids[i * stride]).orElseThrow());
                }
                List<CourseKey> courses = new ArrayList<>();
                for (int i = 0; i < size.courses(); i++) {
                    courses.add(CourseKey.parse("course-v1:Pg+C" + i + "+2026"));
                }
                report.progress("postgres " + writers + "/" + variant + ": " + name + " ready; running "
                        + size.warmup().plus(size.measure()).toSeconds() + " s");
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong writerTx = new AtomicLong();
                List<Throwable> failures = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < size.writers(); w++) {
                    List<Long> owned = new ArrayList<>();
                    for (int i = w; i < hot.size(); i += size.writers()) {
                        owned.add(hot.get(i).id().getAsLong());
                    }
                    Thread t = new Thread(() -> write(url, owned, forUpdate, size.hold(), stop, writerTx, failures),
                            "pg-writer-" + w);
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
                AtomicBoolean sampling = new AtomicBoolean();
                long[] waiterSamples = new long[3];   // samples, sum, max
                Thread sampler = new Thread(() -> sample(name, sampling, stop, waiterSamples), "pg-lock-sampler");
                sampler.setDaemon(true);
                sampler.start();
                long[] marks = new long[6];
                double[] load = new double[1];
                Workers.Outcome outcome = Workers.run("pg-enroller", size.enrollers(), size.warmup(), size.measure(),
                        (thread, random) -> e.enrollments().getOrCreate(hot.get(random.nextInt(hot.size())),
                                courses.get(random.nextInt(courses.size()))),
                        () -> {
                            marks[0] = writerTx.get();
                            marks[2] = longOf("SELECT deadlocks FROM pg_stat_database WHERE datname = '" + name + "'");
                            marks[4] = longOf("SELECT mxid_age(datminmxid) FROM pg_database WHERE datname = '"
                                    + name + "'");
                            load[0] = Machine.loadAverage();
                            sampling.set(true);
                        },
                        () -> {
                            sampling.set(false);
                            marks[1] = writerTx.get();
                            marks[3] = longOf("SELECT deadlocks FROM pg_stat_database WHERE datname = '" + name + "'");
                            marks[5] = longOf("SELECT mxid_age(datminmxid) FROM pg_database WHERE datname = '"
                                    + name + "'");
                        });
                stop.set(true);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                sampler.join(5_000);
                synchronized (failures) {
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException("a user-row writer failed: " + failures.get(0),
                                failures.get(0));
                    }
                }
                double mean;
                synchronized (waiterSamples) {
                    mean = waiterSamples[0] == 0 ? 0 : (double) waiterSamples[1] / waiterSamples[0];
                }
                return new Run(writers, variant, outcome, (marks[1] - marks[0]) / outcome.seconds(), mean,
                        waiterSamples[2], marks[3] - marks[2], marks[5] - marks[4], load[0]);
            }
        } finally {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private static void sample(String database, AtomicBoolean sampling, AtomicBoolean stop, long[] into) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             // A row-lock wait is a wait on the holder's transaction id, a lock with no database: count the
             // waiting locks of the run database's sessions.
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a "
                     + "ON a.pid = l.pid WHERE NOT l.granted AND a.datname = ?")) {
            ps.setString(1, database);
            while (!stop.get()) {
                if (sampling.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        long n = rs.getLong(1);
                        synchronized (into) {
                            into[0]++;
                            into[1] += n;
                            into[2] = Math.max(into[2], n);
                        }
                    }
                }
                Thread.sleep(50);
            }
        } catch (SQLException e) {
            System.err.println("lock sampler stopped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(String url, List<Long> owned, boolean forUpdate, Duration hold, AtomicBoolean stop,
                              AtomicLong done, List<Throwable> failures) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD)) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement(FOR_UPDATE);
                 PreparedStatement touch = c.prepareStatement(TOUCH)) {
                while (!stop.get()) {
                    long id = owned.get(random.nextInt(owned.size()));
                    try {
                        if (forUpdate) {
                            lock.setLong(1, id);
                            lock.executeQuery().close();
                        }
                        touch.setTimestamp(1, Timestamp.from(Instant.now()));
                        touch.setLong(2, id);
                        touch.executeUpdate();
                        Thread.sleep(hold.toMillis());
                        c.commit();
                        done.incrementAndGet();
                    } catch (SQLException e) {
                        if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                            throw e;
                        }
                        c.rollback();
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            synchronized (failures) {
                failures.add(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long[] load(String url, int n) throws SQLException {
        try (Connection c = DriverManager.getConnection(url + "?reWriteBatchedInserts=true", USER, PASSWORD)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO auth_user (password, last_login, "
                    + "is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) "
                    + "VALUES ('!bench', NULL, FALSE, ?, '', '', '', FALSE, TRUE, ?)")) {
                Timestamp now = Timestamp.from(Instant.now());
                for (int i = 0; i < n; i++) {
                    ps.setString(1, "pg_bench_" + i);
                    ps.setTimestamp(2, now);
                    ps.addBatch();
                    if ((i + 1) % 2_000 == 0 || i == n - 1) {
                        ps.executeBatch();
                    }
                }
            }
            c.commit();
            long[] ids = new long[n];
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM auth_user ORDER BY id")) {
                int i = 0;
                while (rs.next() && i < n) {
                    ids[i++] = rs.getLong(1);
                }
            }
            c.commit();
            return ids;
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void admin(String sql) throws SQLException {
        execute(SERVER + "postgres", sql);
    }

    private static long longOf(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
