package dev.enrollment.bench;

import dev.enrollment.Enrollments;
import dev.enrollment.OrphanReport;
import dev.enrollment.Orphans;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 5: auditing orphans (enrollments whose user is gone) over 1,000,000 enrollments, 1% of them orphans:
 * the library's {@code Enrollments.orphans().audit()} (keyset chunks of the builder's batch size, at its default and
 * its maximum) against two raw-JDBC baselines (keyset chunks with a server-side anti-join, and one statement). Target:
 * no single statement of the library's audit over 100 ms; the figures are total time and rows/s.
 */
public final class OrphanAuditScenario implements Scenario {
    /** Rows per keyset chunk of the chunked baseline. */
    static final int CHUNK = 10_000;
    /** Courses the enrollments spread over, per user. */
    private static final int COURSES_PER_USER_ROUND = 50;

    /**
     * What an audit found.
     *
     * @param scanned  enrollments looked at
     * @param orphans  enrollments whose user does not exist
     * @param byCourse orphans per course
     */
    record Audit(long scanned, long orphans, Map<String, Long> byCourse) {
    }

    /** One way to audit. */
    interface Auditor {
        /** @return its name in the table */
        String name();

        /**
         * Audits the whole table.
         *
         * @param db the database
         * @return what it found
         */
        Audit audit(BenchDatabase db) throws Exception;
    }

    /**
     * Keyset chunks of {@value #CHUNK} rows by primary key: one statement finds the chunk's last id, one counts its
     * orphans per course with an anti-join. Each statement is short, whatever the table's size.
     */
    static final Auditor CHUNKED = new Auditor() {
        @Override
        public String name() {
            return "raw JDBC: keyset chunks of " + Format.count(CHUNK);
        }

        @Override
        public Audit audit(BenchDatabase db) throws Exception {
            long scanned = 0;
            Map<String, Long> byCourse = new HashMap<>();
            try (Connection c = db.pool().getConnection();
                 PreparedStatement bound = c.prepareStatement("SELECT MAX(id), COUNT(*) FROM (SELECT id FROM "
                         + "student_courseenrollment WHERE id > ? ORDER BY id LIMIT " + CHUNK + ") chunk");
                 PreparedStatement orphans = c.prepareStatement("SELECT e.course_id, COUNT(*) FROM "
                         + "student_courseenrollment e LEFT JOIN auth_user u ON u.id = e.user_id "
                         + "WHERE e.id > ? AND e.id <= ? AND u.id IS NULL GROUP BY e.course_id")) {
                long after = 0;
                while (true) {
                    long last;
                    bound.setLong(1, after);
                    try (ResultSet rs = bound.executeQuery()) {
                        rs.next();
                        long n = rs.getLong(2);
                        if (n == 0) {
                            break;
                        }
                        last = rs.getLong(1);
                        scanned += n;
                    }
                    orphans.setLong(1, after);
                    orphans.setLong(2, last);
                    try (ResultSet rs = orphans.executeQuery()) {
                        while (rs.next()) {
                            byCourse.merge(rs.getString(1), rs.getLong(2), Long::sum);
                        }
                    }
                    after = last;
                }
            }
            return new Audit(scanned, byCourse.values().stream().mapToLong(Long::longValue).sum(), byCourse);
        }
    };

    /**
     * The issue's baseline: keyset chunks of the library's default batch size, each one server-side anti-join that
     * returns the chunk's last id, its row count and its orphan count. Counts only: no orphans per course, no
     * sample (its byCourse is null, and left out of the checks).
     */
    static final Auditor ANTI_JOIN = antiJoin(false);
    /**
     * The same plus what the report needs, by hand: in a chunk that has orphans, one more statement reads their
     * rows (course, mode) for the per-course counts and the sample.
     */
    static final Auditor ANTI_JOIN_SAME_WORK = antiJoin(true);

    private static Auditor antiJoin(boolean rows) {
        int chunk = Enrollments.DEFAULT_BATCH_SIZE;
        return new Auditor() {
            @Override
            public String name() {
                return "raw JDBC: keyset anti-join in chunks of " + Format.count(chunk)
                        + (rows ? " + the orphans' rows (same work)" : " (counts only)");
            }

            @Override
            public Audit audit(BenchDatabase db) throws Exception {
                long scanned = 0;
                long orphanCount = 0;
                Map<String, Long> byCourse = new HashMap<>();
                try (Connection c = db.pool().getConnection();
                     // PostgreSQL plans the join as a hash anti-join over all of auth_user per chunk (44 ms a
                     // chunk): there the best hand-written form probes auth_user by index in a scalar subquery.
                     PreparedStatement counts = c.prepareStatement(db.postgres()
                             ? "SELECT MAX(e.id), COUNT(*), SUM(CASE WHEN (SELECT u.id FROM auth_user u WHERE u.id = "
                             + "e.user_id) IS NULL THEN 1 ELSE 0 END) FROM (SELECT id, user_id FROM "
                             + "student_courseenrollment WHERE id > ? ORDER BY id LIMIT " + chunk + ") e"
                             : "SELECT MAX(e.id), COUNT(*), "
                             + "SUM(CASE WHEN u.id IS NULL THEN 1 ELSE 0 END) FROM (SELECT id, user_id FROM "
                             + "student_courseenrollment WHERE id > ? ORDER BY id LIMIT " + chunk + ") e "
                             + "LEFT JOIN auth_user u ON u.id = e.user_id");
                     PreparedStatement orphans = c.prepareStatement(db.postgres()
                             ? "SELECT e.id, e.course_id, e.mode, e.is_active FROM student_courseenrollment e "
                             + "WHERE e.id > ? AND e.id <= ? AND (SELECT u.id FROM auth_user u WHERE u.id = e.user_id) "
                             + "IS NULL"
                             : "SELECT e.id, e.course_id, e.mode, e.is_active "
                             + "FROM student_courseenrollment e LEFT JOIN auth_user u ON u.id = e.user_id "
                             + "WHERE e.id > ? AND e.id <= ? AND u.id IS NULL")) {
                    long after = 0;
                    while (true) {
                        counts.setLong(1, after);
                        long last;
                        long found;
                        try (ResultSet rs = counts.executeQuery()) {
                            rs.next();
                            long n = rs.getLong(2);
                            if (n == 0) {
                                break;
                            }
                            last = rs.getLong(1);
                            found = rs.getLong(3);
                            scanned += n;
                        }
                        orphanCount += found;
                        if (rows && found > 0) {
                            orphans.setLong(1, after);
                            orphans.setLong(2, last);
                            try (ResultSet rs = orphans.executeQuery()) {
                                while (rs.next()) {
                                    byCourse.merge(rs.getString(2), 1L, Long::sum);
                                    rs.getString(3);
                                }
                            }
                        }
                        after = last;
                    }
                }
                return new Audit(scanned, orphanCount, rows ? byCourse : null);
            }
        };
    }

    /** The whole anti-join in one statement: the fastest, and the longest single statement. */
    static final Auditor ONE_STATEMENT = new Auditor() {
        @Override
        public String name() {
            return "raw JDBC: one statement";
        }

        @Override
        public Audit audit(BenchDatabase db) throws Exception {
            Map<String, Long> byCourse = new HashMap<>();
            long scanned;
            try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT e.course_id, COUNT(*) FROM student_courseenrollment e "
                        + "LEFT JOIN auth_user u ON u.id = e.user_id WHERE u.id IS NULL GROUP BY e.course_id")) {
                    while (rs.next()) {
                        byCourse.put(rs.getString(1), rs.getLong(2));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM student_courseenrollment")) {
                    rs.next();
                    scanned = rs.getLong(1);
                }
            }
            return new Audit(scanned, byCourse.values().stream().mapToLong(Long::longValue).sum(), byCourse);
        }
    };

    /**
     * The library's audit, {@code Enrollments.orphans().audit()}, its chunk size being the builder's
     * {@code batchSize}.
     *
     * @param library   an instance on the benchmark's pool, built with that batch size
     * @param batchSize its batch size, for the name
     * @return the auditor
     */
    static Auditor library(Enrollments library, int batchSize) {
        return new Auditor() {
            @Override
            public String name() {
                return "library: orphans().audit(), batchSize " + Format.count(batchSize)
                        + (batchSize == Enrollments.DEFAULT_BATCH_SIZE ? " (default)" : "")
                        + (batchSize == Enrollments.MAX_BATCH_SIZE ? " (max)" : "");
            }

            @Override
            public Audit audit(BenchDatabase db) {
                OrphanReport r = library.orphans().audit();
                Map<String, Long> byCourse = new HashMap<>();
                r.byCourse().forEach((k, v) -> byCourse.put(k.toString(), v));
                if (r.sample().size() != Math.min(Orphans.SAMPLE_SIZE, r.orphans())) {
                    throw new IllegalStateException("audit sample has " + r.sample().size() + " orphans");
                }
                return new Audit(r.scanned(), r.orphans(), byCourse);
            }
        };
    }

    /**
     * Row i's course: user i % users takes one course per pass over the users (so pairs stay unique), picked so
     * that the orphans (users whose index is a multiple of 100) spread over every course.
     */
    static long course(long i, int users) {
        return (i / users) * COURSES_PER_USER_ROUND + ((i % users) / 100) % COURSES_PER_USER_ROUND;
    }

    @Override
    public String name() {
        return "orphans";
    }

    @Override
    public String summary() {
        return "orphan audit over 1,000,000 enrollments with 1% orphans: the library's audit vs raw JDBC";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        int users = quick ? 10_000 : 100_000;
        long enrollments = quick ? 100_000 : 1_000_000;
        long expected = enrollments / 100;
        report.heading("Orphan audit");
        report.paragraph(String.format(Locale.ROOT, "%,d enrollments of %,d users over %d courses; then every "
                        + "100th user is deleted behind the library's back, leaving %,d orphans (1%%). The table is "
                        + "loaded once (read-only audits), then audited once unmeasured by the chunked baseline "
                        + "(to warm the buffer pool) and by the library (to warm the JIT); each auditor then runs "
                        + "once. Statement times are measured in the client by the driver's query interceptor, "
                        + "each from sending the statement to reading its whole result (the server's and the "
                        + "wire's share); `in statements` is their sum, the rest of `seconds` is the client's "
                        + "CPU. The library's audit (default lookup: users in this database's auth_user) sends one "
                        + "statement per id range of its batch size: an anti-join returning only the range's "
                        + "orphans, plus one row with its count and last id. Each auditor runs twice, the second "
                        + "time in the reverse order.",
                enrollments, users, (enrollments / users) * COURSES_PER_USER_ROUND, expected));
        try (BenchDatabase db = server.create("orphans").open(4)) {
            long t0 = System.nanoTime();
            long[] ids = Loader.users(db, users);
            Loader.enrollments(db, enrollments, i -> ids[(int) (i % users)],
                    i -> "course-v1:Bench+C" + course(i, users) + "+2026", i -> true, "audit");
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            // user i is bench_<i>: i % 100 == 0 exactly when i is 0 or its name ends in 00
            db.execute("DELETE FROM auth_user WHERE username = 'bench_0' OR username LIKE 'bench\\_%00'");
            if (db.postgres()) {
                db.execute("ANALYZE");   // fresh statistics, as autovacuum would leave them; every auditor alike
            }
            report.progress(String.format(Locale.ROOT, "orphans: loaded %,d users and %,d enrollments in %.1f s "
                    + "(%s rows/s)", users, enrollments, loadSeconds,
                    Format.rate((users + enrollments) / loadSeconds)));
            long courses = (enrollments / users) * COURSES_PER_USER_ROUND;
            // A second library instance on the same pool, for the largest batch size; closing it leaves the pool.
            try (Enrollments max = Enrollments.builder().dataSource(db.pool())
                    .batchSize(Enrollments.MAX_BATCH_SIZE).build()) {
                Auditor libraryDefault = library(db.enrollments(), Enrollments.DEFAULT_BATCH_SIZE);
                List<Auditor> once = List.of(ANTI_JOIN, ANTI_JOIN_SAME_WORK, CHUNKED, ONE_STATEMENT, libraryDefault,
                        library(max, Enrollments.MAX_BATCH_SIZE));
                CHUNKED.audit(db);                 // warms the buffer pool
                libraryDefault.audit(db);          // and the JIT for the library's path
                ANTI_JOIN.audit(db);
                // Twice each, the second time in the reverse order.
                List<Auditor> auditors = new ArrayList<>(once);
                List<Auditor> back = new ArrayList<>(once);
                java.util.Collections.reverse(back);
                auditors.addAll(back);
                Map<Auditor, List<Double>> rates = new HashMap<>();
                Table t = new Table("variant ", "scanned", "orphans", "courses with orphans", "seconds", "rows/s",
                        "statements", "in statements s", "longest statement ms", "statements over 100 ms",
                        "target ", "verdict ", "load avg", "check ");
                Map<String, Long> reference = null;
                for (Auditor a : auditors) {
                    double load = Machine.loadAverage();
                    RoundTrips.start(false);
                    long s0 = System.nanoTime();
                    Audit audit;
                    RoundTrips.Capture capture;
                    try {
                        audit = a.audit(db);
                    } finally {
                        capture = RoundTrips.stop();
                    }
                    double seconds = (System.nanoTime() - s0) / 1e9;
                    reference = reference == null ? audit.byCourse() : reference;
                    rates.computeIfAbsent(a, x -> new ArrayList<>()).add(audit.scanned() / seconds);
                    List<String> wrong = new ArrayList<>();
                    if (audit.orphans() != expected) {
                        wrong.add(audit.orphans() + " orphans, expected " + expected);
                    }
                    if (audit.scanned() != enrollments) {
                        wrong.add("scanned " + audit.scanned() + ", expected " + enrollments);
                    }
                    if (audit.byCourse() != null && audit.byCourse().size() != courses) {
                        wrong.add(audit.byCourse().size() + " courses with orphans, expected " + courses);
                    }
                    if (audit.byCourse() != null && reference != null && !audit.byCourse().equals(reference)) {
                        wrong.add("orphans per course differ from the first auditor's");
                    }
                    boolean library = a.name().startsWith("library");
                    double longest = capture.longestNanos() / 1e6;
                    t.row(a.name(), Format.count(audit.scanned()), Format.count(audit.orphans()),
                            audit.byCourse() == null ? "-" : Format.count(audit.byCourse().size()),
                            String.format(Locale.ROOT, "%.2f", seconds),
                            Format.rate(audit.scanned() / seconds), Format.count(capture.count()),
                            String.format(Locale.ROOT, "%.2f", capture.totalNanos() / 1e9), Format.millis(longest),
                            Format.count(capture.slow()), library ? "longest <= 100 ms" : "-",
                            library ? (longest <= RoundTrips.SLOW_NANOS / 1e6 ? "met" : "MISSED") : "-",
                            String.format(Locale.ROOT, "%.1f", load),
                            wrong.isEmpty() ? "ok" : "UNEXPECTED: " + String.join("; ", wrong));
                    report.progress(String.format(Locale.ROOT, "orphans: %s: %.2f s, longest statement %s ms",
                            a.name(), seconds, Format.millis(longest)));
                }
                report.paragraph(String.format(Locale.ROOT, "Loader: %,d rows in %.1f s (%s rows/s), batched "
                                + "multi-row INSERTs of %,d rows, a commit every %,d.", users + enrollments,
                        loadSeconds, Format.rate((users + enrollments) / loadSeconds), Loader.BATCH,
                        Loader.COMMIT_EVERY));
                report.table(t);
                Table r = new Table("comparison (mean rows/s of the two runs)", "ratio", "target ", "verdict ");
                double lib = mean(rates.get(libraryDefault));
                Target target = Target.atLeast(1.0);
                for (Auditor base : List.of(ANTI_JOIN, ANTI_JOIN_SAME_WORK, CHUNKED, ONE_STATEMENT)) {
                    boolean issue = base == ANTI_JOIN || base == ANTI_JOIN_SAME_WORK;
                    r.row("library (batchSize 1,000) / " + base.name(), Format.ratio(lib, mean(rates.get(base))),
                            issue ? target.toString() : "-",
                            issue ? target.verdict(Format.ratioValue(lib, mean(rates.get(base)))) : "-");
                }
                report.table(r);
                report.progress(String.format(Locale.ROOT, "orphans: library / anti-join %s, / same work %s",
                        Format.ratio(lib, mean(rates.get(ANTI_JOIN))),
                        Format.ratio(lib, mean(rates.get(ANTI_JOIN_SAME_WORK)))));
            }
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
