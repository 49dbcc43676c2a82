package dev.enrollment.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 5: auditing orphans (enrollments whose user is gone) over 1,000,000 enrollments, 1% of them orphans.
 * The library's {@code Enrollments.orphans().audit()} does not exist yet; the data loader and two raw-JDBC
 * baselines run now (keyset chunks, and one statement), and the library's audit plugs in as one more
 * {@link Auditor}.
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

        /** @return null when it can run, otherwise why it cannot */
        String unavailable();

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
        public String unavailable() {
            return null;
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

    /** The whole anti-join in one statement: the fastest, and the longest single statement. */
    static final Auditor ONE_STATEMENT = new Auditor() {
        @Override
        public String name() {
            return "raw JDBC: one statement";
        }

        @Override
        public String unavailable() {
            return null;
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
     * The library's audit.
     *
     * <p>TODO(issue 8, part 2): when {@code Enrollments.orphans().audit()} lands, return null from
     * {@code unavailable()} and map its {@code OrphanReport} (scanned(), orphans(), byCourse()) to an
     * {@link Audit}.
     */
    static final Auditor LIBRARY = new Auditor() {
        @Override
        public String name() {
            return "library: Enrollments.orphans().audit()";
        }

        @Override
        public String unavailable() {
            return "pending: orphans() is not in enrollment-core yet";
        }

        @Override
        public Audit audit(BenchDatabase db) {
            throw new UnsupportedOperationException(unavailable());
        }
    };

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
        return "orphan audit over 1,000,000 enrollments with 1% orphans: the library's audit (pending) vs raw JDBC";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        int users = quick ? 10_000 : 100_000;
        long enrollments = quick ? 100_000 : 1_000_000;
        long expected = enrollments / 100;
        report.heading("Orphan audit");
        report.paragraph(String.format(Locale.ROOT, "%,d enrollments of %,d users over %d courses; then every "
                        + "100th user is deleted behind the library's back, leaving %,d orphans (1%%). The table is "
                        + "loaded once (read-only audits), then scanned once unmeasured to warm the buffer pool; "
                        + "each auditor then runs once. Longest statement: from sending to reading its result.",
                enrollments, users, (enrollments / users) * COURSES_PER_USER_ROUND, expected));
        try (BenchDatabase db = server.create("orphans").open(4)) {
            long t0 = System.nanoTime();
            long[] ids = Loader.users(db, users);
            Loader.enrollments(db, enrollments, i -> ids[(int) (i % users)],
                    i -> "course-v1:Bench+C" + course(i, users) + "+2026", i -> true, "audit");
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            // user i is bench_<i>: i % 100 == 0 exactly when i is 0 or its name ends in 00
            db.execute("DELETE FROM auth_user WHERE username = 'bench_0' OR username LIKE 'bench\\_%00'");
            report.progress(String.format(Locale.ROOT, "orphans: loaded %,d users and %,d enrollments in %.1f s "
                    + "(%s rows/s)", users, enrollments, loadSeconds, Format.rate((users + enrollments) / loadSeconds)));
            CHUNKED.audit(db);

            Table t = new Table("variant ", "scanned", "orphans", "courses with orphans", "seconds", "rows/s",
                    "statements", "longest statement ms", "note ");
            for (Auditor a : List.of(CHUNKED, ONE_STATEMENT, LIBRARY)) {
                if (a.unavailable() != null) {
                    t.row(a.name(), "-", "-", "-", "-", "-", "-", "-", a.unavailable());
                    continue;
                }
                RoundTrips.start(false);
                long s0 = System.nanoTime();
                Audit audit = a.audit(db);
                double seconds = (System.nanoTime() - s0) / 1e9;
                RoundTrips.Capture capture = RoundTrips.stop();
                t.row(a.name(), Format.count(audit.scanned()), Format.count(audit.orphans()),
                        Format.count(audit.byCourse().size()), String.format(Locale.ROOT, "%.2f", seconds),
                        Format.rate(audit.scanned() / seconds), Format.count(capture.count()),
                        Format.millis(capture.longestNanos() / 1e6),
                        audit.orphans() == expected && audit.scanned() == enrollments ? ""
                                : "UNEXPECTED: " + expected + " orphans in " + enrollments + " rows");
            }
            report.paragraph(String.format(Locale.ROOT, "Loader: %,d rows in %.1f s (%s rows/s), batched multi-row "
                            + "INSERTs of %,d rows, a commit every %,d.", users + enrollments, loadSeconds,
                    Format.rate((users + enrollments) / loadSeconds), Loader.BATCH, Loader.COMMIT_EVERY));
            report.table(t);
        }
    }
}
