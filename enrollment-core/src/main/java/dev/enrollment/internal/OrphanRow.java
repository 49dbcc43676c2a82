package dev.enrollment.internal;

import org.jooq.Record;

import java.time.LocalDateTime;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/** An enrollment row as the orphan audit and sweep read it: whatever it holds, typed or not. */
record OrphanRow(long id, long userId, String courseId, String mode, boolean active, LocalDateTime created) {
    /** Reads a row selected with at least these six columns of {@code student_courseenrollment}. */
    static OrphanRow of(Record r) {
        var e = STUDENT_COURSEENROLLMENT;
        return new OrphanRow(r.get(e.ID), r.get(e.USER_ID), r.get(e.COURSE_ID), r.get(e.MODE), r.get(e.IS_ACTIVE),
                r.get(e.CREATED));
    }
}
