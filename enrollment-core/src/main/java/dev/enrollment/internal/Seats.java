package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.schema.tables.EnrollmentCourseSeat;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.exception.DataAccessException;

import static dev.enrollment.schema.Tables.ENROLLMENT_COURSE_SEAT;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * The per-course serialization behind {@link dev.enrollment.CourseCapacity}: an activation in a capped course
 * locks the course's row of {@code enrollment_course_seat} (inserting it the first time), then counts the course's
 * active enrollments, then activates; so two activations in one course never both see room for one. Only capped
 * courses come here: others never touch the table. No user row is locked.
 *
 * <p>Lock order, everywhere: the seat row first, then enrollment rows. Deactivations take no seat lock.
 */
final class Seats {
    private static final EnrollmentCourseSeat S = ENROLLMENT_COURSE_SEAT;
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    /** Insert-then-lock rounds before giving up when the seat row keeps vanishing (nothing deletes it). */
    private static final int MAX_ROUNDS = 3;

    private Seats() {
    }

    /**
     * Locks the course's seat row until the session's transaction ends, creating it if absent.
     *
     * <p>MySQL and MariaDB: one {@code INSERT ... ON DUPLICATE KEY UPDATE version = version + 1}, an exclusive lock
     * that is also a write, so that on a Galera cluster two nodes seating the same course at once conflict at
     * certification (1213) and one of them is retried. PostgreSQL and H2: {@code SELECT ... FOR UPDATE}, inserting
     * the row first the one time it is missing.
     *
     * @param s      the session, in a transaction
     * @param course the capped course
     */
    static void lock(Session s, CourseKey course) {
        String id = course.toString();
        if (s.db().dialect().isMySqlFamily()) {
            // Rendered as MariaDB does it: jOOQ's MYSQL dialect adds MySQL 8.0.19's "AS excluded" row alias, which
            // MariaDB rejects; this form runs on both.
            org.jooq.impl.DSL.using(s.connection(), org.jooq.SQLDialect.MARIADB, Database.SETTINGS)
                    .insertInto(S).set(S.COURSE_ID, id).set(S.VERSION, 1L)
                    .onDuplicateKeyUpdate().set(S.VERSION, S.VERSION.plus(1L))
                    .execute();
            return;
        }
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            if (s.dsl().select(S.COURSE_ID).from(S).where(S.COURSE_ID.eq(id)).forUpdate().fetchOptional()
                    .isPresent()) {
                return;
            }
            insertIfAbsent(s, id);
        }
        throw new IllegalStateException("the seat row of a course could not be created and locked");
    }

    private static void insertIfAbsent(Session s, String id) {
        var insert = s.dsl().insertInto(S).set(S.COURSE_ID, id).set(S.VERSION, 0L);
        if (s.db().dialect() == Dialect.POSTGRES) {
            insert.onConflictDoNothing().execute();
            return;
        }
        try {   // H2: a failed statement leaves the transaction usable; the row exists, which is all we need
            insert.execute();
        } catch (DataAccessException e) {
            if (!Failures.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /**
     * Counts the course's active enrollments, in any mode (a row in a mode the library does not know still holds a
     * seat), as committed by every transaction that held the seat lock before this one.
     *
     * <p>PostgreSQL and H2 read committed rows with each statement. On MySQL/MariaDB a plain read sees the
     * transaction's snapshot, made at its first plain read: when the seat lock was the transaction's first statement
     * ({@code fresh}), that snapshot is younger than the lock and the plain count is exact; otherwise (a caller's
     * transaction, a save that read allowances first) the count is a locking read, which reads the latest committed
     * rows.
     *
     * @param s      the session, holding the seat lock
     * @param course the course
     * @param fresh  whether no plain read ran in this transaction before the seat lock
     * @return the active enrollments
     */
    static long active(Session s, CourseKey course, boolean fresh) {
        var count = s.dsl().selectCount().from(E)
                .where(E.COURSE_ID.eq(course.toString()).and(E.IS_ACTIVE.isTrue()));
        Integer n = !fresh && s.db().dialect().isMySqlFamily()
                ? count.forUpdate().fetchOne(0, Integer.class)
                : count.fetchOne(0, Integer.class);
        return n == null ? 0 : n;
    }
}
