package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.User;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Record;
import org.jooq.SelectField;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * One {@code student_courseenrollment} row as stored, and the one mapper of that table: every read of whole
 * enrollment rows selects {@link #FIELDS} and maps them here, by field (bulk work that needs only ids reads those). Its values may have been written by other software (Open edX):
 * a mode the library does not know, or a course key it cannot parse, is kept as stored and left out of typed results.
 *
 * @param id       the row's id
 * @param userId   its user_id
 * @param courseId its course_id as stored
 * @param mode     its mode slug as stored
 * @param active   its is_active
 * @param created  its created, may be null
 */
record EnrollmentRow(long id, long userId, String courseId, String mode, boolean active, Instant created) {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;

    /** The columns every read of enrollment rows selects, in this order. */
    static final List<SelectField<?>> FIELDS = List.of(E.ID, E.USER_ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED);
    // Positions in FIELDS, for statements rendered once and read through JDBC (Statements.selectEnrollment).
    private static final int ID = FIELDS.indexOf(E.ID) + 1;
    private static final int USER_ID = FIELDS.indexOf(E.USER_ID) + 1;
    private static final int COURSE_ID = FIELDS.indexOf(E.COURSE_ID) + 1;
    private static final int MODE = FIELDS.indexOf(E.MODE) + 1;
    private static final int IS_ACTIVE = FIELDS.indexOf(E.IS_ACTIVE) + 1;
    private static final int CREATED = FIELDS.indexOf(E.CREATED) + 1;

    /**
     * Maps a record that holds {@link #FIELDS} (among others).
     *
     * @param r the record
     * @return the row
     */
    static EnrollmentRow of(Record r) {
        return new EnrollmentRow(r.get(E.ID), r.get(E.USER_ID), r.get(E.COURSE_ID), r.get(E.MODE),
                r.get(E.IS_ACTIVE), Timestamps.instant(r.get(E.CREATED)));
    }

    /**
     * Maps the current row of a result set of a statement that selects {@link #FIELDS}.
     *
     * @param rs the result set, on a row
     * @return the row
     * @throws SQLException if the driver fails
     */
    static EnrollmentRow of(ResultSet rs) throws SQLException {
        return new EnrollmentRow(rs.getLong(ID), rs.getLong(USER_ID), rs.getString(COURSE_ID), rs.getString(MODE),
                rs.getBoolean(IS_ACTIVE), Timestamps.instant(rs.getObject(CREATED, LocalDateTime.class)));
    }

    /**
     * The stored values of an enrollment the library holds.
     *
     * @param e the enrollment
     * @return its row
     */
    static EnrollmentRow of(Enrollment e) {
        return new EnrollmentRow(e.id(), e.user().id().getAsLong(), e.courseKey().toString(), e.mode().slug(),
                e.isActive(), e.created());
    }

    /**
     * The row with other values of is_active and mode.
     *
     * @param active the new is_active
     * @param mode   the new mode slug
     * @return the changed row
     */
    EnrollmentRow with(boolean active, String mode) {
        return new EnrollmentRow(id, userId, courseId, mode, active, created);
    }

    /** The row's mode, or null when it is not one the library knows (logged once per mode). */
    CourseMode knownMode() {
        return Rows.modeOrNull(mode, id);
    }

    /** Whether the row is in that state: active or not, and in that mode. */
    boolean is(boolean active, CourseMode mode) {
        return this.active == active && knownMode() == mode;
    }

    /**
     * The course key as stored, when a case-insensitive collation matched it for the one asked for.
     *
     * @param asked the key the caller gave
     * @return the stored key (the asked one when they are equal)
     */
    CourseKey course(CourseKey asked) {
        return Rows.stored(asked, courseId, id);
    }

    /**
     * The row as an {@link Enrollment} of a course the caller named.
     *
     * @param user  the row's user
     * @param asked the course the caller named
     * @return the enrollment, or null when the row's mode is not one the library knows
     */
    Enrollment typed(User user, CourseKey asked) {
        CourseMode m = knownMode();
        return m == null ? null : VALUES.enrollment(id, user, course(asked), m, active, created);
    }

    /**
     * The row as an {@link Enrollment}, its course key parsed from the row.
     *
     * @param user the row's user
     * @return the enrollment, or null when the row's mode or course key is not one the library can type
     */
    Enrollment typed(User user) {
        CourseKey key = Rows.courseKeyOrNull(courseId, "student_courseenrollment", id);
        CourseMode m = knownMode();
        return key == null || m == null ? null : VALUES.enrollment(id, user, key, m, active, created);
    }

    /**
     * The row as an {@link Enrollment}, for an operation that must return one and cannot go on with an untyped row.
     *
     * @param operation the operation's name
     * @param user      the row's user
     * @param asked     the course the caller named
     * @return the enrollment
     * @throws DatabaseException when the row's mode is not one the library knows
     */
    Enrollment typedOrThrow(String operation, User user, CourseKey asked) {
        Enrollment e = typed(user, asked);
        if (e == null) {
            throw new DatabaseException(operation, 1, operation + " failed: student_courseenrollment row " + id
                    + " is in a mode the library does not know (written by another application); it is left "
                    + "as it is. enroll() or changeMode() overwrite its mode with one of CourseMode's", null);
        }
        return e;
    }
}
