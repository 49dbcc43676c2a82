package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.User;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What one enrolling thread does per operation in the contention scenario. A small interface so a workload's
 * body can be swapped for the library's own API when it lands.
 */
public interface Workload {
    /** @return its name in tables ({@code plain}, {@code touch}) */
    String name();

    /** @return one line for the report */
    String describe();

    /**
     * Enrolls once.
     *
     * @param db     the database (its library instance and pool)
     * @param user   a saved, hot user
     * @param course the course
     */
    void enroll(BenchDatabase db, User user, CourseKey course) throws Exception;

    /** Enroll only, through the library's public API. */
    Workload PLAIN = new Workload() {
        @Override
        public String name() {
            return "plain";
        }

        @Override
        public String describe() {
            return "`plain`: `EnrollmentRepository.getOrCreate(user, course)`, through the library";
        }

        @Override
        public void enroll(BenchDatabase db, User user, CourseKey course) {
            db.enrollments().enrollments().getOrCreate(user, course);
        }
    };

    /**
     * Enroll, then update the same user's row, in one transaction. The library has no public transaction API yet,
     * so this reproduces the library's own getOrCreate statements ({@link LibrarySql}, checked against what the
     * library sends by the overhead scenario) on one pooled connection, followed by the touch, then COMMIT. No
     * retry: a deadlocked transaction is rolled back and counted.
     *
     * <p>TODO(issue 8): when {@code Enrollments.transaction(tx -> ...)} lands, run
     * {@code tx.enrollments().getOrCreate(user, course)} and the touch inside it instead; the touch is the
     * application's own statement, so the transaction must offer a way to run one on its connection.
     */
    Workload TOUCH = new Workload() {
        @Override
        public String name() {
            return "touch";
        }

        @Override
        public String describe() {
            return "`touch`: in one transaction, the library's getOrCreate statements (reproduced on JDBC until "
                    + "`Enrollments.transaction` lands), then `UPDATE auth_user SET last_login = ? WHERE id = ?` "
                    + "for the same user, then COMMIT; deadlocked transactions are rolled back, counted, not retried";
        }

        @Override
        public void enroll(BenchDatabase db, User user, CourseKey course) throws SQLException {
            long userId = user.id().getAsLong();
            try (Connection c = db.pool().getConnection()) {
                c.setAutoCommit(false);
                try {
                    LibrarySql.getOrCreateInTransaction(c, userId, course.toString());
                    LibrarySql.touchUser(c, userId);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException rollbackFailure) {
                        e.addSuppressed(rollbackFailure);
                    }
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
    };
}
