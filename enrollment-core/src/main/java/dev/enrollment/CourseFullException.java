package dev.enrollment;

/**
 * An activation was refused because the course already holds as many active enrollments as its
 * {@link CourseCapacity} allows. Nothing was written: no enrollment, no history, no event.
 *
 * <p>Thrown by {@link EnrollmentRepository#enroll} and by {@link Allowances#allow} for an existing user when the
 * allowance auto-enrolls; {@link EnrollmentRepository#enrollAll} never throws it, and counts the users it could not
 * seat in {@link BulkResult#refused()} instead.
 */
public final class CourseFullException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** The full course. */
    private final CourseKey course;
    /** Its limit. */
    private final long maxActive;

    /**
     * Creates the exception.
     *
     * @param operation the operation refused, such as {@code "enroll"}
     * @param course    the full course
     * @param maxActive its limit of active enrollments
     */
    public CourseFullException(String operation, CourseKey course, long maxActive) {
        super(operation + " refused: course " + course + " is full (its capacity allows " + maxActive
                + " active enrollments); nothing was written");
        this.course = course;
        this.maxActive = maxActive;
    }

    /**
     * Returns the course that is full.
     *
     * @return the course
     */
    public CourseKey course() {
        return course;
    }

    /**
     * Returns the course's limit when the activation was refused.
     *
     * @return the most active enrollments the capacity allowed
     */
    public long maxActive() {
        return maxActive;
    }
}
