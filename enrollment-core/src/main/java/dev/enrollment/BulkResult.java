package dev.enrollment;

/**
 * What {@link EnrollmentRepository#enrollAll} did, so far (in progress callbacks) or in all. Immutable.
 *
 * @param created         enrollments created, active in the requested mode
 * @param alreadyEnrolled users who already had an active enrollment in the course (in any mode), left as they were
 * @param reactivated     inactive enrollments made active, in the requested mode
 */
public record BulkResult(long created, long alreadyEnrolled, long reactivated) {
    /**
     * Returns how many users were handled.
     *
     * @return created + alreadyEnrolled + reactivated
     */
    public long total() {
        return created + alreadyEnrolled + reactivated;
    }
}
