package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.User;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The contention load: enrolling threads on a few hot users, while writer threads hold those users' row locks.
 * Used by the contention and isolation scenarios. Each run gets a fresh database.
 */
public final class EnrollLoad {
    /** The foreign key the baseline adds; never part of the library's schema. */
    static final String BASELINE_FK = "ALTER TABLE student_courseenrollment ADD CONSTRAINT bench_baseline_user_fk "
            + "FOREIGN KEY (user_id) REFERENCES auth_user (id)";

    /**
     * The sizes of a run.
     *
     * @param users     rows in auth_user
     * @param hotUsers  users the enrollers and writers pick from
     * @param enrollers enrolling threads
     * @param writers   user-row writer threads, each owning a disjoint share of the hot users
     * @param hold      how long a writer holds its row lock
     * @param courses   the course pool (hot users x courses pairs, so most calls insert)
     * @param warmup    unrecorded time first
     * @param measure   the recorded window
     */
    public record Size(int users, int hotUsers, int enrollers, int writers, Duration hold, int courses,
                       Duration warmup, Duration measure, int rounds) {
        /**
         * The sizes; quick mode shortens the times and runs each variant once instead of twice.
         *
         * @param quick whether to shorten
         * @return the sizes
         */
        public static Size of(boolean quick) {
            return new Size(20_000, 200, 8, 4, Duration.ofMillis(20), 5_000,
                    quick ? Duration.ofSeconds(2) : Duration.ofSeconds(5),
                    quick ? Duration.ofSeconds(5) : Duration.ofSeconds(15),
                    quick ? 1 : 2);
        }

        /**
         * The sizes of the unrecorded run that warms the JVM up before the first measured one, so that the first
         * variant does not pay for the JIT compiler alone.
         *
         * @return the same load, a short window
         */
        public Size jvmWarmup() {
            Duration d = warmup.compareTo(Duration.ofSeconds(2)) <= 0 ? Duration.ofSeconds(2) : Duration.ofSeconds(4);
            return new Size(users, hotUsers, enrollers, writers, hold, courses, Duration.ZERO, d, 1);
        }

        /**
         * The same load on another number of courses.
         *
         * @param n the course pool's size
         * @return the sizes
         */
        public Size withCourses(int n) {
            return new Size(users, hotUsers, enrollers, writers, hold, n, warmup, measure, rounds);
        }

        /** @return writer transactions per second if nothing but the hold delayed them */
        public double nominalWriterRate() {
            return writers * 1000.0 / hold.toMillis();
        }

        /** @return how the runs are ordered, for the report */
        public String order() {
            return rounds == 1 ? "A, B" : "A, B, B, A (each variant twice, figures summed, drift cancels)";
        }
    }

    /**
     * One run.
     *
     * @param variant    "A" (with the baseline FK) or "B" (schema as shipped)
     * @param foreignKey whether to add the baseline FK
     * @param workload   what the enrollers do
     * @param writers    whether the user-row writers run
     * @param capacity   the courses' limits given to the library, or null for none
     */
    public record Spec(String variant, boolean foreignKey, Workload workload, boolean writers,
                       dev.enrollment.CourseCapacity capacity) {
        /**
         * A run with no course capacity.
         *
         * @param variant    "A" (with the baseline FK) or "B" (schema as shipped)
         * @param foreignKey whether to add the baseline FK
         * @param workload   what the enrollers do
         * @param writers    whether the user-row writers run
         */
        public Spec(String variant, boolean foreignKey, Workload workload, boolean writers) {
            this(variant, foreignKey, workload, writers, null);
        }

        /** @return a label for progress lines */
        public String label() {
            return workload.name() + "/" + variant + (writers ? "" : " (no writers)")
                    + (capacity == null ? "" : " (capped)");
        }
    }

    /**
     * What a run measured.
     *
     * @param spec          the run
     * @param outcome       the enrollers' figures
     * @param server        server lock-counter deltas over the window (server-wide)
     * @param writerTxPerSec writer transactions per second in the window
     * @param writerVictims  writer transactions rolled back as deadlock victims in the window
     * @param insertedShare rows created over successful calls (warm-up included): how many calls inserted
     * @param load          the machine's load average when the window started (the mean over rounds)
     * @param rounds        how many runs were summed
     */
    public record Result(Spec spec, Workers.Outcome outcome, Map<String, Long> server, double writerTxPerSec,
                         long writerVictims, double insertedShare, double load, int rounds) {
        /** @return completions per second, the mean over the rounds */
        public long[] perSecond() {
            long[] sum = outcome.latency().perSecond();
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= rounds;
            }
            return sum;
        }

        /**
         * Adds up repeated runs of one spec.
         *
         * @param runs the runs
         * @return counts summed, rates averaged
         */
        static Result sum(List<Result> runs) {
            Map<String, Long> server = new HashMap<>();
            double writerTx = 0;
            long victims = 0;
            double inserted = 0;
            double load = 0;
            for (Result r : runs) {
                load += r.load / runs.size();
                r.server.forEach((k, v) -> server.merge(k, v, Long::sum));
                writerTx += r.writerTxPerSec / runs.size();
                victims += r.writerVictims;
                inserted += r.insertedShare / runs.size();
            }
            return new Result(runs.get(0).spec, Workers.Outcome.sum(runs.stream().map(Result::outcome).toList()),
                    server, writerTx, victims, inserted, load, runs.size());
        }

        /**
         * Returns a server counter's delta.
         *
         * @param names the counter's names, first found wins
         * @return the delta, or -1 when the server has none of them
         */
        public long counter(String... names) {
            for (String n : names) {
                if (server.containsKey(n)) {
                    return server.get(n);
                }
            }
            return -1;
        }
    }

    private EnrollLoad() {
    }

    /**
     * Runs each spec {@code size.rounds()} times, forwards then backwards (A, B, B, A), so drift on a shared machine
     * and the order of runs weigh on every spec alike.
     *
     * @param server the server
     * @param size   the sizes
     * @param specs  the runs
     * @param report for progress lines
     * @return one summed result per spec, in the order given
     */
    public static List<Result> runAll(Server server, Size size, List<Spec> specs, Report report) throws Exception {
        warmJvmOnce(server, size, specs, report);
        List<List<Result>> runs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            runs.add(new ArrayList<>());
        }
        for (int round = 0; round < size.rounds(); round++) {
            for (int k = 0; k < specs.size(); k++) {
                int i = round % 2 == 0 ? k : specs.size() - 1 - k;
                runs.get(i).add(run(server, size, specs.get(i), report));
            }
        }
        return runs.stream().map(Result::sum).toList();
    }

    private static final java.util.Set<String> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Runs each workload once, unrecorded, the first time this process meets it. */
    private static void warmJvmOnce(Server server, Size size, List<Spec> specs, Report report) throws Exception {
        for (Spec spec : specs) {
            if (WARMED.add(spec.workload().name())) {
                report.progress("JVM warm-up for " + spec.workload().name() + " (not recorded)");
                run(server, size.jvmWarmup(), new Spec("warm-up", false, spec.workload(), true, spec.capacity()),
                        report);
            }
        }
    }

    /**
     * Runs one variant on a fresh database, and drops it.
     *
     * @param server the server
     * @param size   the sizes
     * @param spec   the run
     * @param report for progress lines
     * @return the figures
     */
    public static Result run(Server server, Size size, Spec spec, Report report) throws Exception {
        try (BenchDatabase db = server.create(spec.label()).open(size.enrollers() + 2, spec.capacity())) {
            long[] ids = Loader.users(db, size.users());
            if (spec.foreignKey()) {
                db.execute(BASELINE_FK);
            }
            List<User> hot = new ArrayList<>();
            int stride = size.users() / size.hotUsers();
            for (int i = 0; i < size.hotUsers(); i++) {
                long id = ids[i * stride];
                hot.add(db.enrollments().users().findById(id)
                        .orElseThrow(() -> new IllegalStateException("user " + id + " not found")));
            }
            List<CourseKey> courses = new ArrayList<>();
            for (int i = 0; i < size.courses(); i++) {
                courses.add(CourseKey.parse("course-v1:Bench+C" + i + "+2026"));
            }
            if (spec.capacity() != null) {
                seatRows(db, courses);
            }
            report.progress(spec.label() + ": " + db.name() + " ready (" + size.users() + " users"
                    + (spec.foreignKey() ? ", baseline FK added" : ", schema as shipped") + "); running "
                    + (size.warmup().plus(size.measure()).toSeconds()) + " s");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writerTx = new AtomicLong();
            AtomicLong writerVictims = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> writerFailures = new ArrayList<>();
            if (spec.writers()) {
                for (int w = 0; w < size.writers(); w++) {
                    List<Long> owned = new ArrayList<>();
                    for (int i = w; i < hot.size(); i += size.writers()) {
                        owned.add(hot.get(i).id().getAsLong());
                    }
                    Thread t = new Thread(() -> write(db::connect, owned, size.hold(), stop, writerTx, writerVictims,
                            writerFailures),
                            "writer-" + w);
                    t.setDaemon(true);
                    writers.add(t);
                    t.start();
                }
            }

            Map<String, Long> before = new HashMap<>();
            Map<String, Long> after = new HashMap<>();
            long[] writerMarks = new long[4];
            double[] load = new double[1];
            Workers.Outcome outcome = Workers.run("enroller", size.enrollers(), size.warmup(), size.measure(),
                    (thread, random) -> spec.workload().enroll(db, hot.get(random.nextInt(hot.size())),
                            courses.get(random.nextInt(courses.size()))),
                    () -> {
                        before.putAll(server.lockCounters());
                        writerMarks[0] = writerTx.get();
                        writerMarks[2] = writerVictims.get();
                        load[0] = Machine.loadAverage();
                    },
                    () -> {
                        writerMarks[1] = writerTx.get();
                        writerMarks[3] = writerVictims.get();
                        after.putAll(server.lockCounters());
                    });
            stop.set(true);
            for (Thread t : writers) {
                t.join(10_000);
            }
            synchronized (writerFailures) {
                if (!writerFailures.isEmpty()) {
                    throw new IllegalStateException("a user-row writer failed: " + writerFailures.get(0),
                            writerFailures.get(0));
                }
            }
            if (outcome.stragglers() > 0) {
                report.progress(spec.label() + ": " + outcome.stragglers() + " enrollers did not stop in time");
            }
            if (outcome.otherErrors() > 0) {
                report.progress(spec.label() + ": " + outcome.otherErrors() + " failed calls, first: "
                        + outcome.firstError());
            }
            Map<String, Long> delta = new HashMap<>();
            for (Map.Entry<String, Long> e : after.entrySet()) {
                delta.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), e.getValue()));
            }
            long rows = db.queryLong("SELECT COUNT(*) FROM student_courseenrollment");
            long succeeded = outcome.calls() - outcome.failedCalls();
            return new Result(spec, outcome, delta, (writerMarks[1] - writerMarks[0]) / outcome.seconds(),
                    writerMarks[3] - writerMarks[2], succeeded == 0 ? Double.NaN : (double) rows / succeeded,
                    load[0], 1);
        }
    }

    /**
     * Creates every course's seat row before the window, as each course's first capped activation would: the run
     * then measures the steady state (a seat row locked per activation), not the one-time creation of 5,000 rows.
     */
    private static void seatRows(BenchDatabase db, List<CourseKey> courses) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO enrollment_course_seat (course_id, version) VALUES (?, 0)")) {
            for (CourseKey course : courses) {
                ps.setString(1, course.toString());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * A writer: BEGIN; UPDATE one of its users; hold the row lock; COMMIT; until told to stop. A writer chosen as a
     * deadlock victim (the baseline FK's shared lock meets its exclusive one) rolls back, counts it, and goes on.
     */
    /** Opens a writer's connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * A user-row writer: BEGIN; UPDATE one of its users; hold; COMMIT, until stopped. A transaction the server
     * aborted (a lock victim, a Galera certification failure) is rolled back and counted in {@code victims}.
     */
    static void write(Connector db, List<Long> owned, Duration hold, AtomicBoolean stop,
                      AtomicLong done, AtomicLong victims, List<Throwable> failures) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(LibrarySql.TOUCH_USER)) {
                while (!stop.get()) {
                    try {
                        ps.setString(1, LibrarySql.now());
                        ps.setLong(2, owned.get(random.nextInt(owned.size())));
                        ps.executeUpdate();
                        Thread.sleep(hold.toMillis());
                        c.commit();
                        done.incrementAndGet();
                    } catch (SQLException e) {
                        if (Workers.lockErrorCode(e) == 0) {
                            throw e;
                        }
                        c.rollback();
                        victims.incrementAndGet();
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
}
