package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollment;
import dev.enrollment.User;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Condition;
import org.jooq.exception.DataAccessException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * The SQL of {@code student_courseenrollment}, in a session: each statement once, rows mapped by
 * {@link EnrollmentRow}. Every statement on rows of known users names {@code user_id}, so that a router sharding by
 * user (docs/SCALING.md) sends it only to those users' shards.
 */
final class EnrollmentTable {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;

    private EnrollmentTable() {
    }

    /**
     * Reads the row of a (user, course), without locking it (the hottest read: rendered once, see
     * {@link Statements}).
     *
     * @param s      the session
     * @param user   a saved user
     * @param course the course
     * @return the row, if any
     */
    static Optional<EnrollmentRow> find(Session s, User user, CourseKey course) {
        try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().selectEnrollment)) {
            ps.setLong(1, user.id().getAsLong());
            ps.setString(2, course.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(EnrollmentRow.of(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DataAccessException("select enrollment", e);
        }
    }

    /**
     * Reads and locks (FOR UPDATE) the row of a (user, course).
     *
     * @param s      the session, in a transaction
     * @param user   a saved user
     * @param course the course
     * @return the row, if any
     */
    static Optional<EnrollmentRow> lock(Session s, User user, CourseKey course) {
        return s.dsl().select(EnrollmentRow.FIELDS).from(E)
                .where(E.USER_ID.eq(user.id().getAsLong()).and(E.COURSE_ID.eq(course.toString())))
                .forUpdate()
                .fetchOptional(EnrollmentRow::of);
    }

    /**
     * Tells whether a (user, course) has an active row (rendered once, see {@link Statements}).
     *
     * @param s      the session
     * @param userId a saved user's id
     * @param course the course
     * @return true when an active enrollment exists
     */
    static boolean isActive(Session s, long userId, CourseKey course) {
        try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().isEnrolled)) {
            ps.setLong(1, userId);
            ps.setString(2, course.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new DataAccessException("isEnrolled", e);
        }
    }

    /**
     * Reads rows matching a condition, in no particular order, optionally locking them (in the index's order: a
     * sort here would make InnoDB read, and lock, more than it returns).
     *
     * @param s         the session
     * @param where     the condition
     * @param forUpdate whether to lock them
     * @return the rows
     */
    static List<EnrollmentRow> select(Session s, Condition where, boolean forUpdate) {
        var query = s.dsl().select(EnrollmentRow.FIELDS).from(E).where(where);
        return forUpdate ? query.forUpdate().fetch(EnrollmentRow::of) : query.fetch(EnrollmentRow::of);
    }

    /**
     * Reads a user's rows in id order.
     *
     * @param s      the session
     * @param userId the user's id
     * @return the rows
     */
    static List<EnrollmentRow> ofUser(Session s, long userId) {
        return s.dsl().select(EnrollmentRow.FIELDS).from(E).where(E.USER_ID.eq(userId)).orderBy(E.ID)
                .fetch(EnrollmentRow::of);
    }

    /**
     * Reads and locks up to {@code limit} rows of a user in the order of the unique key (user_id, course_id): InnoDB
     * then locks only the rows it returns (ordered by id, it would sort, reading and locking every row of the user).
     *
     * @param s      the session, in a transaction
     * @param userId the user's id
     * @param where  a further condition
     * @param limit  the most rows, or 0 for all
     * @return the rows
     */
    static List<EnrollmentRow> lockOfUser(Session s, long userId, Condition where, int limit) {
        var query = s.dsl().select(EnrollmentRow.FIELDS).from(E).where(E.USER_ID.eq(userId).and(where))
                .orderBy(E.COURSE_ID);
        return (limit > 0 ? query.limit(limit).forUpdate() : query.forUpdate()).fetch(EnrollmentRow::of);
    }

    /**
     * Reads the rows of users in a course, optionally locking them.
     *
     * @param s         the session
     * @param courseId  the stored course id
     * @param userIds   the users' ids
     * @param forUpdate whether to lock them
     * @return the rows
     */
    static List<EnrollmentRow> ofUsers(Session s, String courseId, Collection<Long> userIds, boolean forUpdate) {
        return select(s, E.COURSE_ID.eq(courseId).and(E.USER_ID.in(userIds)), forUpdate);
    }

    /**
     * Inserts one row unless (user_id, course_id) exists.
     *
     * @param conflict where to put the unique violation that refused the row, where the dialect reports one
     * @return the new row's id, or null when a unique index refused it
     */
    static Long insert(Session s, User user, CourseKey course, boolean active, CourseMode mode, Instant now,
                       SQLException[] conflict) {
        String rendered = s.db().statements().insertEnrollment;
        if (rendered != null) {
            // MySQL/MariaDB: rendered once; a duplicate key fails the statement alone, the transaction goes on.
            try (PreparedStatement ps = s.connection().prepareStatement(rendered, Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, course.toString());
                ps.setString(2, Timestamps.mysqlText(now));
                ps.setBoolean(3, active);
                ps.setString(4, mode.slug());
                ps.setLong(5, user.id().getAsLong());
                try {
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (Failures.isUniqueViolation(e)) {
                        conflict[0] = e;
                        return null;
                    }
                    throw e;
                }
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new IllegalStateException("the database returned no id for an inserted enrollment");
                    }
                    return keys.getLong(1);
                }
            } catch (SQLException e) {
                throw new DataAccessException("insert enrollment", e);
            }
        }
        var insert = s.dsl().insertInto(E)
                .set(E.COURSE_ID, course.toString())
                .set(E.CREATED, Timestamps.field(s.db().dialect(), now))
                .set(E.IS_ACTIVE, active)
                .set(E.MODE, mode.slug())
                .set(E.USER_ID, user.id().getAsLong());
        return Inserts.ignoringDuplicate(s, insert, E.ID, conflict, E.USER_ID, E.COURSE_ID);
    }

    /**
     * Sets is_active and mode of one row.
     *
     * @return the enrollment after the change
     */
    static Enrollment update(Session s, long id, User user, CourseKey course, Instant created, boolean active,
                             CourseMode mode) {
        s.dsl().update(E).set(E.IS_ACTIVE, active).set(E.MODE, mode.slug())
                .where(E.ID.eq(id).and(E.USER_ID.eq(user.id().getAsLong()))).execute();
        return VALUES.enrollment(id, user, course, mode, active, created);
    }

    /**
     * Sets is_active and/or mode of the rows (locked before), where the further condition holds.
     *
     * @param s      the session
     * @param rows   the rows
     * @param active the new is_active, or null to keep each row's
     * @param mode   the new mode slug, or null to keep each row's
     * @param where  a further condition (the state they were locked in)
     */
    static void updateAll(Session s, List<EnrollmentRow> rows, Boolean active, String mode, Condition where) {
        java.util.Map<org.jooq.Field<?>, Object> values = new java.util.LinkedHashMap<>();
        if (active != null) {
            values.put(E.IS_ACTIVE, active);
        }
        if (mode != null) {
            values.put(E.MODE, mode);
        }
        s.dsl().update(E).set(values)
                .where(E.ID.in(ids(rows)).and(E.USER_ID.in(userIds(rows))).and(where))
                .execute();
    }

    /**
     * Reads and locks the next rows of a course in a mode after an id, in id order (a keyset batch).
     *
     * @param s        the session, in a transaction
     * @param courseId the stored course id
     * @param mode     the mode slug
     * @param after    the last id of the previous batch (0 for the first)
     * @param limit    the most rows
     * @return the rows
     */
    static List<EnrollmentRow> lockInMode(Session s, String courseId, String mode, long after, int limit) {
        return s.dsl().select(EnrollmentRow.FIELDS).from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.MODE.eq(mode)).and(E.ID.gt(after)))
                .orderBy(E.ID)
                .limit(limit)
                .forUpdate()
                .fetch(EnrollmentRow::of);
    }

    /**
     * Deletes the rows (locked before).
     *
     * @param s    the session
     * @param rows the rows
     * @return how many were deleted
     */
    static int deleteAll(Session s, List<EnrollmentRow> rows) {
        return s.dsl().deleteFrom(E).where(E.ID.in(ids(rows)).and(E.USER_ID.in(userIds(rows)))).execute();
    }

    private static List<Long> ids(List<EnrollmentRow> rows) {
        return rows.stream().map(EnrollmentRow::id).collect(java.util.stream.Collectors.toList());
    }

    private static List<Long> userIds(List<EnrollmentRow> rows) {
        return rows.stream().map(EnrollmentRow::userId).distinct().collect(java.util.stream.Collectors.toList());
    }
}
