package dev.enrollment;

/**
 * An orphaned enrollment that {@link Orphans#sweep(SweepOptions)} found but could not delete, because a foreign key
 * of another table still references it (on Open edX: {@code student_courseenrollmentattribute},
 * {@code student_manualenrollmentaudit} and others hold {@code student_courseenrollment.id}; Django cascades those
 * deletes in Python). The sweep leaves it, and its dependent rows, as they are and goes on. Immutable.
 *
 * @param id             the enrollment's id
 * @param userId         the id of the missing user
 * @param courseId       the stored {@code course_id} (as text: Open edX may hold keys the library cannot type)
 * @param referencedBy   the table whose foreign key refused the delete, in lower case, or {@code "unknown"} when the
 *                       database's message did not name it
 */
public record UndeletableOrphan(long id, long userId, String courseId, String referencedBy) {
}
