package dev.enrollment.bench;

import dev.enrollment.CourseKey;
import dev.enrollment.User;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * What one enrolling thread does per operation in the contention scenario, through the library's public API.
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
     * Enroll, then update the same user's row, in one transaction: the library's
     * {@code Enrollments.transaction(tx -> ...)} with {@code tx.enrollments().getOrCreate(user, course)}, then the
     * application's own {@code UPDATE auth_user SET last_login = ? WHERE id = ?} on the transaction's connection
     * ({@code tx.connection()}). The library does not retry a caller's transaction: a deadlock surfaces as a
     * {@code DatabaseException} with {@code errorCode()} 1213 (or, from the touch, as the driver's SQLException),
     * and is counted.
     */
    Workload TOUCH = new Workload() {
        @Override
        public String name() {
            return "touch";
        }

        @Override
        public String describe() {
            return "`touch`: `Enrollments.transaction(tx -> { tx.enrollments().getOrCreate(user, course); "
                    + "UPDATE auth_user SET last_login = ? WHERE id = ? on tx.connection() })`, the same user; "
                    + "caller transactions are not retried by the library, so a deadlocked one is rolled back and "
                    + "counted";
        }

        @Override
        public void enroll(BenchDatabase db, User user, CourseKey course) {
            long userId = user.id().getAsLong();
            db.enrollments().transaction(tx -> {
                tx.enrollments().getOrCreate(user, course);
                try (PreparedStatement ps = tx.connection().prepareStatement(LibrarySql.TOUCH_USER)) {
                    ps.setString(1, LibrarySql.now());
                    ps.setLong(2, userId);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    throw new UncheckedSqlException(e);   // rolls the transaction back; rethrown unchanged
                }
            });
        }
    };

    /**
     * Activate or deactivate: {@code enroll(user, course, AUDIT)} when the pair has no active enrollment, else
     * {@code unenroll(user, course)}; so about half the calls activate (and, in a capped course, take the course's
     * seat lock) however long the run, even on a small course pool whose pairs all exist after a few seconds.
     */
    Workload TOGGLE = new Workload() {
        @Override
        public String name() {
            return "toggle";
        }

        @Override
        public String describe() {
            return "`toggle`: `isEnrolled(user, course)`, then `enroll(user, course, AUDIT)` if not, else "
                    + "`unenroll(user, course)`, through the library: about half the calls activate";
        }

        @Override
        public void enroll(BenchDatabase db, User user, CourseKey course) {
            dev.enrollment.EnrollmentRepository repo = db.enrollments().enrollments();
            if (repo.isEnrolled(user, course)) {
                repo.unenroll(user, course);
            } else {
                repo.enroll(user, course, dev.enrollment.CourseMode.AUDIT);
            }
        }
    };

    /** A JDBC failure of the caller's own statement inside a library transaction, carried out of the work. */
    final class UncheckedSqlException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedSqlException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
