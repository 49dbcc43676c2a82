package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.User;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 3: what the library costs over hand-written JDBC sending the same statements ({@link LibrarySql})
 * through the same HikariCP pool, for getOrCreate (new row, existing row) and isEnrolled, on 1 and 8 threads.
 * Target: the library at least 0.9x of JDBC's throughput. Also counts the round trips of one call of each.
 */
public final class OverheadScenario implements Scenario {
    static final Target TARGET = Target.atLeast(0.9);
    private static final int USERS = 20_000;
    private static final int SAMPLE_USERS = 2_000;
    private static final int EXISTING_COURSES = 5;
    private static final int NEW_COURSES = 1_000;
    private static final int ROUND_TRIP_CALLS = 20;

    /** The operations measured. */
    enum Op {
        NEW_ROW("getOrCreate, new row"),
        EXISTING_ROW("getOrCreate, existing row"),
        IS_ENROLLED("isEnrolled");

        final String title;

        Op(String title) {
            this.title = title;
        }
    }

    /** Who sends the statements. */
    enum Impl { JDBC, LIBRARY }

    private BenchDatabase db;
    private long[] ids;
    private final List<User> users = new ArrayList<>();
    private final CourseKey[] existing = new CourseKey[EXISTING_COURSES];
    private final String[] existingText = new String[EXISTING_COURSES];
    private final CourseKey[] fresh = new CourseKey[NEW_COURSES];
    private final String[] freshText = new String[NEW_COURSES];
    private final AtomicLong nextNew = new AtomicLong();

    @Override
    public String name() {
        return "overhead";
    }

    @Override
    public String summary() {
        return "the library's getOrCreate and isEnrolled against hand-written JDBC sending the same statements";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        // Short segments in A, B, B, A order: drift on a shared machine weighs on both sides alike.
        Duration warmup = quick ? Duration.ofMillis(300) : Duration.ofSeconds(1);
        Duration measure = quick ? Duration.ofMillis(700) : Duration.ofSeconds(3);
        List<Impl> order = quick ? List.of(Impl.JDBC, Impl.LIBRARY, Impl.LIBRARY, Impl.JDBC)
                : List.of(Impl.JDBC, Impl.LIBRARY, Impl.LIBRARY, Impl.JDBC,
                        Impl.LIBRARY, Impl.JDBC, Impl.JDBC, Impl.LIBRARY);
        report.heading("Overhead: the library against hand-written JDBC sending the same statements");
        report.paragraph(String.format(Locale.ROOT, "%,d users, %,d of them loaded as `User`s through the "
                + "library; %,d existing active enrollments. The JDBC baseline sends the statements the library "
                + "sends (captured on the wire, and checked below) through the same HikariCP pool, configured as "
                + "the library configures its own. Each case runs its segments in the order %s (warm-up %d ms, "
                + "measured %d ms each, figures summed per side); `new row` segments start from a freshly "
                + "truncated and reloaded table, so every call inserts.", USERS, SAMPLE_USERS,
                SAMPLE_USERS * EXISTING_COURSES, order, warmup.toMillis(), measure.toMillis()));
        db = server.create("overhead").open(10);
        try {
            setUp();
            report.progress("overhead: " + db.name() + " ready; JIT warm-up");
            Workers.run("warm", 8, Duration.ZERO, quick ? Duration.ofSeconds(2) : Duration.ofSeconds(5),
                    (t, r) -> call(Op.values()[r.nextInt(3)], r.nextBoolean() ? Impl.JDBC : Impl.LIBRARY, r),
                    () -> { }, () -> { });
            Table speed = new Table("operation", "threads", "JDBC ops/s", "library ops/s", "library/JDBC",
                    "target ", "verdict ", "JDBC p50 ms", "library p50 ms", "JDBC p99 ms", "library p99 ms",
                    "load avg");
            for (int threads : new int[] {1, 8}) {
                for (Op op : Op.values()) {
                    LatencyRecorder[] sum = {new LatencyRecorder(1), new LatencyRecorder(1)};
                    double[] seconds = new double[2];
                    double load = Machine.loadAverage();
                    for (Impl impl : order) {
                        if (op == Op.NEW_ROW) {
                            resetEnrollments();
                        }
                        Workers.Outcome o = Workers.run("overhead", threads, warmup, measure,
                                (t, r) -> call(op, impl, r), () -> { }, () -> { });
                        if (o.otherErrors() + o.deadlocks() + o.lockTimeouts() > 0) {
                            report.progress(op.title + " " + impl + ": " + o.otherErrors() + " failures, first: "
                                    + o.firstError());
                        }
                        sum[impl.ordinal()].add(o.latency());
                        seconds[impl.ordinal()] += o.seconds();
                    }
                    double jdbc = sum[0].count() / seconds[0];
                    double lib = sum[1].count() / seconds[1];
                    double ratio = Format.ratioValue(lib, jdbc);
                    speed.row(op.title, threads, Format.rate(jdbc), Format.rate(lib), Format.ratio(lib, jdbc),
                            TARGET, TARGET.verdict(ratio),
                            Format.millis(sum[0].percentileMillis(50)), Format.millis(sum[1].percentileMillis(50)),
                            Format.millis(sum[0].percentileMillis(99)), Format.millis(sum[1].percentileMillis(99)),
                            String.format(Locale.ROOT, "%.1f", load));
                    report.progress(op.title + ", " + threads + " thread(s): library/JDBC "
                            + Format.ratio(lib, jdbc));
                }
            }
            report.table(speed);
            roundTrips(report);
        } finally {
            db.close();
        }
    }

    private void setUp() {
        ids = Loader.users(db, USERS);
        for (int i = 0; i < SAMPLE_USERS; i++) {
            long id = ids[i];
            users.add(db.enrollments().users().findById(id)
                    .orElseThrow(() -> new IllegalStateException("user " + id + " not found")));
        }
        for (int i = 0; i < EXISTING_COURSES; i++) {
            existing[i] = CourseKey.parse("course-v1:Bench+Existing+E" + i);
            existingText[i] = existing[i].toString();
        }
        for (int i = 0; i < NEW_COURSES; i++) {
            fresh[i] = CourseKey.parse("course-v1:Bench+New+N" + i);
            freshText[i] = fresh[i].toString();
        }
        resetEnrollments();
    }

    /** Back to the same table: only the existing enrollments, and new-row pairs start over. */
    private void resetEnrollments() {
        db.execute("TRUNCATE TABLE student_courseenrollment");
        Loader.enrollments(db, (long) SAMPLE_USERS * EXISTING_COURSES, i -> ids[(int) (i % SAMPLE_USERS)],
                i -> existingText[(int) (i / SAMPLE_USERS)], i -> true, "audit");
        nextNew.set(0);
    }

    private void call(Op op, Impl impl, ThreadLocalRandom random) throws Exception {
        int u;
        int c;
        if (op == Op.NEW_ROW) {
            long i = nextNew.getAndIncrement();
            u = (int) (i % SAMPLE_USERS);
            c = (int) ((i / SAMPLE_USERS) % NEW_COURSES);
        } else {
            u = random.nextInt(SAMPLE_USERS);
            c = random.nextInt(EXISTING_COURSES);
        }
        User user = users.get(u);
        CourseKey key = op == Op.NEW_ROW ? fresh[c] : existing[c];
        if (impl == Impl.LIBRARY) {
            EnrollmentRepository repo = db.enrollments().enrollments();
            if (op == Op.IS_ENROLLED) {
                repo.isEnrolled(user, key);
            } else {
                repo.getOrCreate(user, key);
            }
            return;
        }
        String text = op == Op.NEW_ROW ? freshText[c] : existingText[c];
        try (Connection conn = db.pool().getConnection()) {
            if (op == Op.IS_ENROLLED) {
                LibrarySql.isEnrolled(conn, user.id().getAsLong(), text);
            } else {
                LibrarySql.getOrCreate(conn, user.id().getAsLong(), text);
            }
        }
    }

    private void roundTrips(Report report) throws Exception {
        Table t = new Table("operation", "JDBC round trips/call", "library round trips/call",
                "of which transaction control (library)", "same statements ", "library sends ");
        LinkedHashSet<String> shapesSeen = new LinkedHashSet<>();
        for (Op op : Op.values()) {
            double[] perCall = new double[2];
            List<List<String>> shapes = new ArrayList<>();
            for (Impl impl : Impl.values()) {
                RoundTrips.start(true);
                for (int i = 0; i < ROUND_TRIP_CALLS; i++) {
                    call(op, impl, ThreadLocalRandom.current());
                }
                RoundTrips.Capture capture = RoundTrips.stop();
                perCall[impl.ordinal()] = (double) capture.count() / ROUND_TRIP_CALLS;
                shapes.add(LibrarySql.shapes(capture.statements()));
            }
            List<String> library = shapes.get(Impl.LIBRARY.ordinal());
            long control = library.stream().filter(OverheadScenario::isTransactionControl).count();
            LinkedHashSet<String> distinct = new LinkedHashSet<>(library);
            shapesSeen.addAll(distinct);
            t.row(op.title, fmt(perCall[0]), fmt(perCall[1]), fmt((double) control / ROUND_TRIP_CALLS),
                    shapes.get(0).equals(library) ? "yes" : "NO: the baseline is out of date",
                    String.join("; ", distinct.stream().map(OverheadScenario::label).toList()));
        }
        report.paragraph("Round trips: statements the driver sent to the server per call, transaction control "
                + "included, counted on the wire by a query interceptor over " + ROUND_TRIP_CALLS
                + " calls on one thread.");
        report.table(t);
        StringBuilder sql = new StringBuilder("Statements the library sent (literals replaced by `?`):\n\n```sql\n");
        for (String s : shapesSeen) {
            sql.append(s).append('\n');
        }
        report.paragraph(sql.append("```").toString());
    }

    private static boolean isTransactionControl(String shape) {
        String s = shape.trim().toLowerCase(Locale.ROOT);
        return s.startsWith("set autocommit") || s.equals("commit") || s.equals("rollback")
                || s.startsWith("start transaction") || s.equals("begin");
    }

    private static String label(String shape) {
        String s = shape.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("select exists")) {
            return "SELECT EXISTS(...)";
        }
        if (s.startsWith("select") && s.endsWith("for update")) {
            return "SELECT ... FOR UPDATE";
        }
        if (s.startsWith("select")) {
            return "SELECT the row";
        }
        if (s.startsWith("insert ignore")) {
            return "INSERT IGNORE";
        }
        if (s.startsWith("insert into student_courseenrollment_history")) {
            return "INSERT the history row";
        }
        return shape.length() > 40 ? shape.substring(0, 40) + "..." : shape;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, d == Math.rint(d) ? "%.0f" : "%.2f", d);
    }
}
