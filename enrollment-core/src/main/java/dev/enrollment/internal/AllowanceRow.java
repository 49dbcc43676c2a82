package dev.enrollment.internal;

import dev.enrollment.Allowance;
import dev.enrollment.CourseKey;
import dev.enrollment.User;
import dev.enrollment.schema.tables.StudentCourseenrollmentallowed;
import org.jooq.Record;
import org.jooq.SelectField;

import java.time.Instant;
import java.util.List;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENTALLOWED;

/**
 * One {@code student_courseenrollmentallowed} row as stored, and the one mapper of that table: every read of
 * allowances selects {@link #FIELDS} and maps them here, by field.
 *
 * @param id         the row's id
 * @param email      its email as stored
 * @param courseId   its course_id as stored
 * @param autoEnroll its auto_enroll
 * @param created    its created, may be null
 * @param userId     the user who used it, or null
 */
record AllowanceRow(long id, String email, String courseId, boolean autoEnroll, Instant created, Long userId) {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollmentallowed A = STUDENT_COURSEENROLLMENTALLOWED;
    private static final String TABLE = "student_courseenrollmentallowed";

    /** The columns every read of allowances selects. */
    static final List<SelectField<?>> FIELDS = List.of(A.ID, A.EMAIL, A.COURSE_ID, A.AUTO_ENROLL, A.CREATED,
            A.USER_ID);

    /**
     * Maps a record that holds {@link #FIELDS} (among others).
     *
     * @param r the record
     * @return the row
     */
    static AllowanceRow of(Record r) {
        return new AllowanceRow(r.get(A.ID), r.get(A.EMAIL), r.get(A.COURSE_ID),
                Boolean.TRUE.equals(r.get(A.AUTO_ENROLL)), Timestamps.instant(r.get(A.CREATED)), r.get(A.USER_ID));
    }

    /**
     * Whether the row's email is this one: emails ignore case, and only case (MySQL's default collations also fold
     * accents, which this undoes).
     *
     * @param key the email, lower-cased
     * @return true when it is the same email
     */
    boolean isFor(String key) {
        return Rows.sameEmail(email, key);
    }

    /** The course, or null for a key the library cannot parse (an Open edX CCX course: logged, never fatal). */
    CourseKey courseOrNull() {
        return Rows.courseKeyOrNull(courseId, TABLE, id);
    }

    /**
     * The row as an {@link Allowance}.
     *
     * @param user the user who used it, or null
     * @return the allowance, or null when its course key cannot be parsed
     */
    Allowance typed(User user) {
        CourseKey course = courseOrNull();
        return course == null ? null : VALUES.allowance(id, email, course, autoEnroll, created, user);
    }
}
