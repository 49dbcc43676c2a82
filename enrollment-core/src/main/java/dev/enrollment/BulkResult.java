package dev.enrollment;

/**
 * What {@link EnrollmentRepository#enrollAll} did, so far (in progress callbacks) or in all. Immutable.
 *
 * @param created         enrollments created, active in the requested mode
 * @param alreadyEnrolled users who already had an active enrollment in the course (in any mode), left as they were
 * @param reactivated     inactive enrollments made active, in the requested mode
 * @param refused         users left as they were because the course was full (see {@link CourseCapacity}): no row
 *                        created or activated for them; always 0 for a course without a capacity
 */
public record BulkResult(long created, long alreadyEnrolled, long reactivated, long refused) {
    /**
     * The counts of a run that refused nobody.
     *
     * @param created         enrollments created
     * @param alreadyEnrolled users already actively enrolled
     * @param reactivated     inactive enrollments made active
     */
    public BulkResult(long created, long alreadyEnrolled, long reactivated) {
        this(created, alreadyEnrolled, reactivated, 0);
    }

    /**
     * Returns how many users were handled.
     *
     * @return created + alreadyEnrolled + reactivated + refused
     */
    public long total() {
        return created + alreadyEnrolled + reactivated + refused;
    }

    /**
     * Returns the sum of this result and another, component by component.
     *
     * @param other the other counts
     * @return the sums
     */
    public BulkResult plus(BulkResult other) {
        return new BulkResult(created + other.created, alreadyEnrolled + other.alreadyEnrolled,
                reactivated + other.reactivated, refused + other.refused);
    }
}
