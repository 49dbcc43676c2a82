package dev.enrollment.internal;

import dev.enrollment.Enrollment;

import java.time.Instant;

import static dev.enrollment.schema.Tables.STUDENT_HISTORICALCOURSEENROLLMENT;

/** Writes {@code student_historicalcourseenrollment} rows, as django-simple-history does for Open edX. */
final class History {
    /** {@code history_type} of a created row. */
    static final String CREATED = "+";
    /** {@code history_type} of a changed row. */
    static final String CHANGED = "~";
    /** {@code history_type} of a deleted row. */
    static final String DELETED = "-";

    private History() {
    }

    /**
     * Writes one history row holding the enrollment's values, in the session's transaction.
     *
     * @param s      the session
     * @param type   {@link #CREATED}, {@link #CHANGED} or {@link #DELETED}
     * @param row    the row's values after the change (before it, for a delete)
     * @param change who and why
     */
    static void write(Session s, String type, Enrollment row, Change change) {
        var h = STUDENT_HISTORICALCOURSEENROLLMENT;
        s.dsl().insertInto(h)
                .set(h.ID, row.id())
                .set(h.CREATED, row.created() == null ? null : s.db().timestamp(row.created()))
                .set(h.IS_ACTIVE, row.isActive())
                .set(h.MODE, row.mode().slug())
                .set(h.HISTORY_DATE, s.db().timestamp(Instant.now()))
                .set(h.HISTORY_CHANGE_REASON, change.reason())
                .set(h.HISTORY_TYPE, type)
                .set(h.COURSE_ID, row.courseKey().toString())
                .set(h.HISTORY_USER_ID, change.actorId())
                .set(h.USER_ID, row.user().id().getAsLong())
                .execute();
    }

}
