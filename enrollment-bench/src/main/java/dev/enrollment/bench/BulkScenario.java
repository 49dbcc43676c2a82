package dev.enrollment.bench;

import dev.enrollment.CourseKey;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 4: enrolling many users in one course at once. The library's {@code enrollAll} does not exist yet; its
 * raw-JDBC baseline (batched INSERT IGNORE, rewritten by the driver into multi-row statements) and the data loader
 * run now, and the library's variant plugs in as one more {@link BulkEnroller}.
 */
public final class BulkScenario implements Scenario {
    /** Rows per batch of the raw baseline. */
    static final int BATCH = 1_000;

    /**
     * One way to enroll many users in one course.
     */
    interface BulkEnroller {
        /** @return its name in the table */
        String name();

        /** @return null when it can run, otherwise why it cannot */
        String unavailable();

        /**
         * Enrolls every user in the course, active, in mode audit.
         *
         * @param db      a fresh database holding the users
         * @param course  the course
         * @param userIds the users' ids
         */
        void enrollAll(BenchDatabase db, CourseKey course, long[] userIds) throws Exception;
    }

    /** Batched {@code INSERT IGNORE}, sent by the driver as multi-row statements of {@value #BATCH} rows. */
    static final BulkEnroller RAW = new BulkEnroller() {
        @Override
        public String name() {
            return "raw JDBC: batched multi-row INSERT IGNORE (rewriteBatchedStatements)";
        }

        @Override
        public String unavailable() {
            return null;
        }

        @Override
        public void enrollAll(BenchDatabase db, CourseKey course, long[] userIds) throws Exception {
            String now = LibrarySql.now();
            try (Connection c = db.pool().getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO student_courseenrollment "
                         + "(course_id, created, is_active, mode, user_id) VALUES (?, ?, 1, 'audit', ?)")) {
                for (int i = 0; i < userIds.length; i++) {
                    ps.setString(1, course.toString());
                    ps.setString(2, now);
                    ps.setLong(3, userIds[i]);
                    ps.addBatch();
                    if ((i + 1) % BATCH == 0 || i == userIds.length - 1) {
                        ps.executeBatch();
                    }
                }
            }
        }
    };

    /**
     * The library's bulk enrollment.
     *
     * <p>TODO(issue 8, part 2): when {@code EnrollmentRepository.enrollAll(CourseKey, CourseMode, Iterable<User>)}
     * lands: return null from {@code unavailable()}, load the {@code User}s (the API takes saved users, not ids:
     * today that is one {@code findById} per user, itself worth a bulk read), call
     * {@code db.enrollments().enrollments().enrollAll(course, CourseMode.AUDIT, users)} and check its
     * {@code BulkResult} (created, alreadyEnrolled, reactivated) against the rows counted here.
     */
    static final BulkEnroller LIBRARY = new BulkEnroller() {
        @Override
        public String name() {
            return "library: EnrollmentRepository.enrollAll";
        }

        @Override
        public String unavailable() {
            return "pending: enrollAll is not in enrollment-core yet";
        }

        @Override
        public void enrollAll(BenchDatabase db, CourseKey course, long[] userIds) {
            throw new UnsupportedOperationException(unavailable());
        }
    };

    @Override
    public String name() {
        return "bulk";
    }

    @Override
    public String summary() {
        return "enroll many users in one course: the library's enrollAll (pending) against batched INSERT IGNORE";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        int users = quick ? 20_000 : 100_000;
        report.heading("Bulk enrollment: enrollAll against raw batched INSERT IGNORE");
        report.paragraph(String.format(Locale.ROOT, "%,d users, 10%% of them already enrolled (active, audit) in "
                + "the course; every variant enrolls all of them in it, on a fresh database, after a warm-up run "
                + "on another course (a tenth of the size). Figures are for one thread.", users));
        CourseKey course = CourseKey.parse("course-v1:Bench+Bulk+2026");
        CourseKey warmCourse = CourseKey.parse("course-v1:Bench+BulkWarmup+2026");
        Table t = new Table("variant ", "users", "created", "already enrolled", "seconds", "users/s",
                "statements sent", "note ");
        for (BulkEnroller variant : List.of(RAW, LIBRARY)) {
            if (variant.unavailable() != null) {
                t.row(variant.name(), Format.count(users), "-", "-", "-", "-", "-", variant.unavailable());
                continue;
            }
            try (BenchDatabase db = server.create("bulk").open(4)) {
                long[] ids = Loader.users(db, users);
                Loader.enrollments(db, users / 10, i -> ids[(int) (i * 10)], i -> course.toString(), i -> true,
                        "audit");
                long[] warmIds = java.util.Arrays.copyOf(ids, users / 10);
                variant.enrollAll(db, warmCourse, warmIds);
                long before = db.queryLong("SELECT COUNT(*) FROM student_courseenrollment");
                RoundTrips.start(false);
                long t0 = System.nanoTime();
                variant.enrollAll(db, course, ids);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long statements = RoundTrips.stop().count();
                long created = db.queryLong("SELECT COUNT(*) FROM student_courseenrollment") - before;
                t.row(variant.name(), Format.count(users), Format.count(created), Format.count(users - created),
                        String.format(Locale.ROOT, "%.2f", seconds), Format.rate(users / seconds),
                        Format.count(statements), created == users - users / 10 ? "" : "UNEXPECTED row count");
            }
        }
        report.table(t);
    }
}
