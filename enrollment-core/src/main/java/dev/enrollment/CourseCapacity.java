package dev.enrollment;

import java.util.OptionalLong;

/**
 * How many active enrollments a course may hold (Open edX's {@code max_student_enrollments_allowed}), given to
 * {@link Enrollments.Builder#capacity(CourseCapacity)}.
 *
 * <p>The library asks it once per call that may activate an enrollment ({@link EnrollmentRepository#enroll}, a
 * batch of {@link EnrollmentRepository#enrollAll}, an auto-enroll allowance), on the caller's thread, so it should
 * answer quickly (from memory or a cache of the caller's). A course it answers empty for has no limit, and pays
 * nothing for the feature: no extra statement, no shared row. For a course with a limit, the library serializes
 * activations in that course on one row of its own table {@code enrollment_course_seat} (never a user row), counts
 * the active enrollments, and refuses the activation when they have reached the limit: exact under any concurrency.
 * Only activating takes a seat: an inactive row ({@link EnrollmentRepository#getOrCreate}), a mode change of an
 * active enrollment, and deactivations take none. Lowering a limit below the current count deactivates nobody; it
 * only refuses new activations.
 */
@FunctionalInterface
public interface CourseCapacity {
    /**
     * Returns the course's limit.
     *
     * @param course the course
     * @return the most active enrollments the course may hold (0 or more), or empty for no limit
     */
    OptionalLong maxActive(CourseKey course);
}
