package dev.enrollment.bench;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollments;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 4: enrolling many users in one course at once. The library's {@code enrollAll}, fed by a lazy
 * {@link LazyUsers} that loads the {@code User}s 1,000 ids at a time, against two raw-JDBC baselines that write
 * the same rows in batches of the same size: batched {@code INSERT IGNORE} alone (what the issue compares with),
 * and the same plus the history rows ({@code +}) that the library must write in the same transaction. Each variant
 * enrolls every user twice: the first run creates them all, the second creates none. Targets (issue 14): enrollAll at
 * least 0.45x the throughput of the first baseline and at least 1.0x of the second.
 */
public final class BulkScenario implements Scenario {
    /** Issue 14: at least 0.45x of the raw insert without history (two rows written per enrollment, not one). */
    static final Target TARGET = Target.atLeast(0.45);
    /** Issue 14: at least as fast as the best hand-written JDBC doing the same work. */
    static final Target SAME_WORK = Target.atLeast(1.0);
    /** Rows per batch, both sides: the library's default batch size. */
    static final int BATCH = Enrollments.DEFAULT_BATCH_SIZE;
    /** Ids per {@code findAllById} of the library variant's lazy user source. */
    static final int PAGE = 1_000;

    private static final String INSERT_IGNORE = "INSERT IGNORE INTO student_courseenrollment "
            + "(course_id, created, is_active, mode, user_id) VALUES (?, cast(? as datetime(6)), 1, ?, ?)";
    private static final String INSERT_ON_CONFLICT = "INSERT INTO student_courseenrollment "
            + "(course_id, created, is_active, mode, user_id) VALUES (?, cast(? as timestamp(6)), TRUE, ?, ?) "
            + "ON CONFLICT (user_id, course_id) DO NOTHING";
    /**
     * The history rows ({@code +}) of one batch, written by the server from the rows just inserted: each history_id
     * a version-7 UUID made of the batch's 16 hex digits of time and counter (?) and 64 bits (?) XOR the
     * enrollment id; history_date ?; the rows: course_id ?, created ?, user_id between ? and ?.
     */
    private static final String SERVER_HISTORY = "INSERT INTO student_courseenrollment_history (history_id, id, "
            + "created, is_active, mode, history_date, history_change_reason, history_type, course_id, "
            + "history_user_id, user_id) SELECT LOWER(CONCAT(?, LPAD(HEX(? ^ id), 16, '0'))), id, created, "
            + "is_active, mode, CAST(? AS DATETIME(6)), NULL, '+', course_id, NULL, user_id "
            + "FROM student_courseenrollment WHERE course_id = ? AND created = CAST(? AS DATETIME(6)) "
            + "AND user_id BETWEEN ? AND ? AND mode = 'audit' AND is_active = TRUE";
    private static final String SERVER_HISTORY_PG = "INSERT INTO student_courseenrollment_history (history_id, id, "
            + "created, is_active, mode, history_date, history_change_reason, history_type, course_id, "
            + "history_user_id, user_id) SELECT CAST(CAST(? AS VARCHAR) || LPAD(TO_HEX(CAST(? AS BIGINT) # id), 16, "
            + "'0') AS UUID), id, created, is_active, mode, CAST(? AS TIMESTAMP(6)), NULL, '+', course_id, NULL, "
            + "user_id FROM student_courseenrollment WHERE course_id = ? AND created = CAST(? AS TIMESTAMP(6)) "
            + "AND user_id BETWEEN ? AND ? AND mode = 'audit' AND is_active = TRUE";
    /** The read a batch needs only when some users were enrolled already: which of them to reactivate. */
    private static final String INACTIVE = "SELECT id FROM student_courseenrollment WHERE course_id = ? "
            + "AND user_id BETWEEN ? AND ? AND is_active = FALSE";

    static String insertIgnore(BenchDatabase db) {
        return db.postgres() ? INSERT_ON_CONFLICT : INSERT_IGNORE;
    }
    private static final String COUNT_ROWS = "SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '%s'";
    private static final String COUNT_HISTORY = "SELECT COUNT(*) FROM student_courseenrollment_history "
            + "WHERE course_id = '%s' AND history_type = '+'";

    /**
     * What one bulk enrollment reported.
     *
     * @param created        rows created, as the variant counted them (-1: it does not count)
     * @param already        users already enrolled (-1: it does not count)
     * @param loadNanos      time spent loading users (library only)
     * @param loadStatements statements sent to load them
     * @param batches        transactions committed (progress callbacks for the library)
     * @param largestPage    the most ids loaded at once (library only)
     */
    record Outcome(long created, long already, long loadNanos, long loadStatements, long batches,
                   long largestPage) {
    }

    /** One way to enroll many users in one course, active, mode audit. */
    interface BulkEnroller {
        /** @return its name in the tables */
        String name();

        /** @return whether it writes the history rows */
        boolean writesHistory();

        /**
         * Enrolls every user in the course.
         *
         * @param db      a database holding the users
         * @param course  the course
         * @param userIds the users' ids
         * @return what it reported
         */
        Outcome enrollAll(BenchDatabase db, CourseKey course, long[] userIds) throws Exception;
    }

    /**
     * Batched {@code INSERT IGNORE} in autocommit, sent by the driver as one multi-row statement per
     * {@value #BATCH} rows ({@code rewriteBatchedStatements}): one statement and one commit per batch. No history.
     */
    static final BulkEnroller RAW = new BulkEnroller() {
        @Override
        public String name() {
            return "raw JDBC: multi-row INSERT IGNORE, no history";
        }

        @Override
        public boolean writesHistory() {
            return false;
        }

        @Override
        public Outcome enrollAll(BenchDatabase db, CourseKey course, long[] userIds) throws SQLException {
            String now = LibrarySql.now();
            long batches = 0;
            try (Connection c = db.pool().getConnection();
                 PreparedStatement ps = c.prepareStatement(insertIgnore(db))) {
                for (int i = 0; i < userIds.length; i++) {
                    ps.setString(1, course.toString());
                    ps.setString(2, now);
                    ps.setString(3, "audit");
                    ps.setLong(4, userIds[i]);
                    ps.addBatch();
                    if ((i + 1) % BATCH == 0 || i == userIds.length - 1) {
                        ps.executeBatch();
                        batches++;
                    }
                }
            }
            return new Outcome(-1, -1, 0, 0, batches, 0);
        }
    };

    /**
     * The same, plus what the library must also write, by the best hand-written JDBC we know: per batch, in one
     * transaction, the multi-row {@code INSERT IGNORE} (rewritten by the driver), then one
     * {@code INSERT INTO student_courseenrollment_history ... SELECT ... FROM student_courseenrollment WHERE
     * course_id = ? AND created = ? AND user_id BETWEEN ? AND ?} that the server runs on the rows just inserted (its
     * count is the number created; history ids are version-7 UUIDs the server derives from a base bound once per
     * batch), a read of the batch's inactive rows only when some users were enrolled already, then COMMIT. The
     * connection stays in manual-commit mode for the whole run.
     */
    static final BulkEnroller RAW_WITH_HISTORY = new BulkEnroller() {
        @Override
        public String name() {
            return "raw JDBC: multi-row INSERT IGNORE + server-side history (INSERT ... SELECT)";
        }

        @Override
        public boolean writesHistory() {
            return true;
        }

        @Override
        public Outcome enrollAll(BenchDatabase db, CourseKey course, long[] userIds) throws SQLException {
            String courseId = course.toString();
            long created = 0;
            long batches = 0;
            try (Connection c = db.pool().getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ins = c.prepareStatement(insertIgnore(db));
                     PreparedStatement hist = c.prepareStatement(db.postgres() ? SERVER_HISTORY_PG : SERVER_HISTORY);
                     PreparedStatement inactive = c.prepareStatement(INACTIVE)) {
                    for (int from = 0; from < userIds.length; from += BATCH) {
                        int to = Math.min(userIds.length, from + BATCH);
                        String now = LibrarySql.now();
                        long low = Long.MAX_VALUE;
                        long high = Long.MIN_VALUE;
                        for (int i = from; i < to; i++) {
                            ins.setString(1, courseId);
                            ins.setString(2, now);
                            ins.setString(3, "audit");
                            ins.setLong(4, userIds[i]);
                            ins.addBatch();
                            low = Math.min(low, userIds[i]);
                            high = Math.max(high, userIds[i]);
                        }
                        ins.executeBatch();
                        String base = dev.enrollment.internal.HistoryIds.next();
                        hist.setString(1, base.substring(0, 16));
                        hist.setLong(2, 0x8000_0000_0000_0000L
                                | (java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 2));
                        hist.setString(3, LibrarySql.now());
                        hist.setString(4, courseId);
                        hist.setString(5, now);
                        hist.setLong(6, low);
                        hist.setLong(7, high);
                        int rows = hist.executeUpdate();
                        if (rows < to - from) {
                            inactive.setString(1, courseId);
                            inactive.setLong(2, low);
                            inactive.setLong(3, high);
                            try (ResultSet rs = inactive.executeQuery()) {
                                while (rs.next()) {
                                    rs.getLong(1);   // none in this scenario; the library would activate them
                                }
                            }
                        }
                        c.commit();
                        created += rows;
                        batches++;
                    }
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
            return new Outcome(created, userIds.length - created, 0, 0, batches, 0);
        }
    };

    /**
     * The library: {@code enrollAll(course, AUDIT, users, progress)}, the users coming from a {@link LazyUsers}
     * that calls {@code Users.findAllById} for {@value #PAGE} ids at a time as enrollAll reads on. The loading is
     * timed apart and reported in its own column.
     */
    static final BulkEnroller LIBRARY = new BulkEnroller() {
        @Override
        public String name() {
            return "library: enrollAll (users loaded lazily, timed apart)";
        }

        @Override
        public boolean writesHistory() {
            return true;
        }

        @Override
        public Outcome enrollAll(BenchDatabase db, CourseKey course, long[] userIds) {
            LazyUsers users = new LazyUsers(userIds, PAGE, page -> db.enrollments().users().findAllById(page));
            long[] batches = new long[1];
            BulkResult r = db.enrollments().enrollments().enrollAll(course, CourseMode.AUDIT, users,
                    totals -> batches[0]++);
            if (r.reactivated() != 0) {
                throw new IllegalStateException("enrollAll reactivated " + r.reactivated()
                        + " rows; none are inactive");
            }
            return new Outcome(r.created(), r.alreadyEnrolled(), users.loadNanos(), users.loadStatements(),
                    batches[0], users.largestPage());
        }
    };

    /**
     * One measured bulk enrollment.
     *
     * @param variant      who enrolled
     * @param run          1 (creates every row) or 2 (creates none)
     * @param users        users enrolled
     * @param outcome      what the variant reported
     * @param seconds      wall time, users' loading included
     * @param statements   statements sent for the enrollment (the loading's apart)
     * @param inStatements time inside those statements, from sending each to reading its result, in seconds
     * @param createdRows  rows the table gained in the course
     * @param historyRows  history rows ({@code +}) the table gained for the course
     * @param heap         the heap during the run
     * @param load         the machine's 1-minute load average when the run started
     */
    record Measured(BulkEnroller variant, int run, int users, Outcome outcome, double seconds, long statements,
                    double inStatements, long createdRows, long historyRows, HeapWatch.Peak heap, double load) {
        /** @return seconds without the users' loading */
        double enrollSeconds() {
            return seconds - outcome.loadNanos() / 1e9;
        }

        /** @return users per second, the loading left out */
        double rate() {
            return users / enrollSeconds();
        }

        /** @return what is wrong with the counts, or "" */
        String check() {
            long expectCreated = run == 1 ? users : 0;
            List<String> wrong = new ArrayList<>();
            if (createdRows != expectCreated) {
                wrong.add("table gained " + createdRows + " rows, expected " + expectCreated);
            }
            if (outcome.created() >= 0 && outcome.created() != createdRows) {
                wrong.add("reported created " + outcome.created() + ", table " + createdRows);
            }
            if (outcome.already() >= 0 && outcome.already() != users - expectCreated) {
                wrong.add("reported already enrolled " + outcome.already());
            }
            long expectHistory = variant.writesHistory() ? createdRows : 0;
            if (historyRows != expectHistory) {
                wrong.add("history gained " + historyRows + " rows, expected " + expectHistory);
            }
            if (outcome.largestPage() > PAGE) {
                wrong.add("loaded " + outcome.largestPage() + " users at once");
            }
            return wrong.isEmpty() ? "" : "UNEXPECTED: " + String.join("; ", wrong);
        }
    }

    @Override
    public String name() {
        return "bulk";
    }

    @Override
    public String summary() {
        return "enroll 100,000 users in one course: the library's enrollAll against multi-row INSERT IGNORE, without "
                + "and with server-side history";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        int users = 100_000;   // quick mode runs each variant once instead of twice
        int rounds = quick ? 1 : 2;
        List<BulkEnroller> variants = List.of(RAW, RAW_WITH_HISTORY, LIBRARY);
        report.heading("Bulk enrollment: enrollAll against raw multi-row INSERT IGNORE");
        report.paragraph(String.format(Locale.ROOT, "%,d users, none enrolled in the course; every variant enrolls "
                + "all of them (active, audit) in batches of %,d rows, each batch one transaction, on a fresh "
                + "database, after an unrecorded warm-up (enrolling half of the users in another course); then it "
                + "runs again, which must create nothing. One thread. %s. The library's users come from a lazy `Iterable` that calls "
                + "`Users.findAllById` for %,d ids at a time as `enrollAll` reads on; that loading is timed apart "
                + "(its own column) and left out of the library's seconds and users/s. Statements and the time "
                + "inside them (from sending each to reading its result: the server's and the wire's share; the "
                + "rest is the client's CPU) are counted on the wire by the driver's query interceptor. Heap: used "
                + "heap sampled every %d ms (`MemoryMXBean`; includes garbage not yet collected), and the heap "
                + "pools' use after each collection during the run (GC notifications), both above the use after a "
                + "full GC just before the run. Counts are checked against the tables.", users, BATCH,
                rounds == 1 ? "Each variant once" : "Each variant twice, in the order raw, raw + history, library, "
                        + "library, raw + history, raw; times averaged", PAGE, HeapWatch.SAMPLE_MILLIS));
        CourseKey course = CourseKey.parse("course-v1:Bench+Bulk+2026");
        CourseKey warmCourse = CourseKey.parse("course-v1:Bench+BulkWarmup+2026");

        Double allUsersMiB = null;
        Map<BulkEnroller, List<Measured>> first = new HashMap<>();
        Map<BulkEnroller, List<Measured>> second = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < variants.size(); k++) {
                BulkEnroller v = variants.get(round % 2 == 0 ? k : variants.size() - 1 - k);
                try (BenchDatabase db = server.create("bulk").open(4)) {
                    long[] ids = Loader.users(db, users);
                    v.enrollAll(db, warmCourse, Arrays.copyOf(ids, users / 2));   // JIT warm-up, unrecorded
                    Measured m1 = measure(db, v, course, ids, 1);
                    Measured m2 = measure(db, v, course, ids, 2);
                    first.computeIfAbsent(v, x -> new ArrayList<>()).add(m1);
                    second.computeIfAbsent(v, x -> new ArrayList<>()).add(m2);
                    report.progress(String.format(Locale.ROOT, "bulk: %s: %.2f s, then %.2f s %s", v.name(),
                            m1.enrollSeconds(), m2.enrollSeconds(), (m1.check() + " " + m2.check()).trim()));
                    if (v == LIBRARY && allUsersMiB == null) {
                        allUsersMiB = allUsersRetained(db, ids);
                    }
                }
            }
        }

        Table t = new Table("variant ", "run ", "users", "created (table)", "already enrolled", "history rows",
                "seconds", "users/s", "loading users s", "statements", "in statements s", "batches",
                "load avg", "check ");
        for (Map<BulkEnroller, List<Measured>> runs : List.of(first, second)) {
            for (BulkEnroller v : variants) {
                Measured m = mean(runs.get(v));
                t.row(v.name(), m.run() == 1 ? "1st: creates all" : "2nd: creates none", Format.count(users),
                        Format.count(m.createdRows()), m.outcome().already() < 0 ? "-"
                                : Format.count(m.outcome().already()), Format.count(m.historyRows()),
                        String.format(Locale.ROOT, "%.2f", m.enrollSeconds()), Format.rate(m.rate()),
                        v == LIBRARY ? String.format(Locale.ROOT, "%.2f (%d statements)",
                                m.outcome().loadNanos() / 1e9, m.outcome().loadStatements()) : "-",
                        Format.count(m.statements()), String.format(Locale.ROOT, "%.2f", m.inStatements()),
                        Format.count(m.outcome().batches()), String.format(Locale.ROOT, "%.1f", m.load()),
                        runs.get(v).stream().map(Measured::check).filter(s -> !s.isEmpty()).findFirst()
                                .orElse("ok"));
            }
        }
        report.table(t);

        Measured raw = mean(first.get(RAW));
        Measured hist = mean(first.get(RAW_WITH_HISTORY));
        Measured lib = mean(first.get(LIBRARY));
        Measured raw2 = mean(second.get(RAW));
        Measured lib2 = mean(second.get(LIBRARY));
        double ratio = Format.ratioValue(lib.rate(), raw.rate());
        double withLoading = users / lib.seconds();
        Table r = new Table("comparison", "ratio", "target ", "verdict ");
        r.row("enrollAll / raw INSERT IGNORE (1st run)", Format.ratio(lib.rate(), raw.rate()), TARGET,
                TARGET.verdict(ratio));
        r.row("enrollAll / raw INSERT IGNORE + server-side history (1st run): the same-work baseline",
                Format.ratio(lib.rate(), hist.rate()), SAME_WORK,
                SAME_WORK.verdict(Format.ratioValue(lib.rate(), hist.rate())));
        r.row("raw + history / raw (1st run): the cost of the history rows, the physical limit of enrollAll / raw",
                Format.ratio(hist.rate(), raw.rate()),
                "-", "-");
        r.row("enrollAll with the users' loading / raw INSERT IGNORE (1st run)", Format.ratio(withLoading,
                raw.rate()), "-", "-");
        r.row("enrollAll / raw INSERT IGNORE (2nd run, nothing to create)", Format.ratio(lib2.rate(), raw2.rate()),
                "-", "-");
        report.table(r);

        Table h = new Table("variant ", "run ", "heap before MiB", "peak sampled, above before MiB",
                "peak after GC, above before MiB", "collections during run");
        for (Map<BulkEnroller, List<Measured>> runs : List.of(first, second)) {
            for (BulkEnroller v : variants) {
                HeapWatch.Peak p = runs.get(v).stream().map(Measured::heap)
                        .max(java.util.Comparator.comparingLong(HeapWatch.Peak::peakSampledBytes)).orElseThrow();
                long gcs = runs.get(v).stream().mapToLong(m -> m.heap().collections()).sum();
                double afterGc = runs.get(v).stream().mapToDouble(m -> m.heap().afterGcAboveBaselineMiB())
                        .filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
                h.row(v.name(), runs.get(v).get(0).run() == 1 ? "1st" : "2nd", mib(p.baselineBytes() / 1048576.0),
                        mib(p.sampledAboveBaselineMiB()), Double.isNaN(afterGc) ? "no GC" : mib(afterGc),
                        Format.count(gcs));
            }
        }
        report.paragraph(String.format(Locale.ROOT, "Heap (max over runs), JVM max heap %s MiB. For scale: holding "
                        + "all %,d `User`s at once (one `findAllById` of every id) retains %s MiB after a full GC; "
                        + "the sampled peak is bounded by the young generation, so it is about the same for "
                        + "every variant.", mib(Runtime.getRuntime().maxMemory() / 1048576.0), users,
                allUsersMiB == null ? "n/a" : mib(allUsersMiB)));
        report.table(h);
        report.progress(String.format(Locale.ROOT, "bulk: enrollAll/raw %s (target %s), enrollAll/raw+history %s",
                Format.ratio(lib.rate(), raw.rate()), TARGET, Format.ratio(lib.rate(), hist.rate())));
    }

    /** The heap that holding every user at once retains: the yardstick for "memory stays flat". */
    private static double allUsersRetained(BenchDatabase db, long[] ids) {
        List<Long> all = new ArrayList<>(ids.length);
        for (long id : ids) {
            all.add(id);
        }
        System.gc();
        long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        List<dev.enrollment.User> held = db.enrollments().users().findAllById(all);
        System.gc();
        long after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        if (held.size() != ids.length) {
            throw new IllegalStateException("found " + held.size() + " of " + ids.length + " users");
        }
        return (after - before) / 1048576.0;
    }

    private static Measured measure(BenchDatabase db, BulkEnroller v, CourseKey course, long[] ids, int run)
            throws Exception {
        String rowsSql = String.format(Locale.ROOT, COUNT_ROWS, course);
        String historySql = String.format(Locale.ROOT, COUNT_HISTORY, course);
        long rowsBefore = db.queryLong(rowsSql);
        long historyBefore = db.queryLong(historySql);
        double load = Machine.loadAverage();
        HeapWatch heap = HeapWatch.start();
        HeapWatch.Peak peak;
        RoundTrips.Capture capture;
        Outcome outcome;
        long t0 = System.nanoTime();
        RoundTrips.start(false);
        try {
            outcome = v.enrollAll(db, course, ids);
        } finally {
            capture = RoundTrips.stop();
            peak = heap.stop();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Measured(v, run, ids.length, outcome, seconds, capture.count(), capture.totalNanos() / 1e9,
                db.queryLong(rowsSql) - rowsBefore, db.queryLong(historySql) - historyBefore, peak, load);
    }

    /** The mean of repeated runs of one variant: times averaged, counts of the first (they must agree). */
    static Measured mean(List<Measured> runs) {
        Measured m = runs.get(0);
        if (runs.size() == 1) {
            return m;
        }
        double seconds = runs.stream().mapToDouble(Measured::seconds).average().orElseThrow();
        double in = runs.stream().mapToDouble(Measured::inStatements).average().orElseThrow();
        double load = runs.stream().mapToDouble(Measured::load).average().orElseThrow();
        long loadNanos = (long) runs.stream().mapToLong(x -> x.outcome().loadNanos()).average().orElseThrow();
        Outcome o = m.outcome();
        return new Measured(m.variant(), m.run(), m.users(), new Outcome(o.created(), o.already(), loadNanos,
                o.loadStatements(), o.batches(), o.largestPage()), seconds, m.statements(), in, m.createdRows(),
                m.historyRows(), m.heap(), load);
    }

    private static String mib(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v);
    }
}
