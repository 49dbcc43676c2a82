package dev.enrollment;

/**
 * An enrollment whose user does not exist (an orphan), as reported by {@link Orphans#audit()}. Immutable.
 *
 * @param id        the enrollment's id
 * @param userId    the id of the missing user
 * @param courseKey the course
 * @param mode      the mode
 * @param active    the {@code is_active} column
 */
public record OrphanedEnrollment(long id, long userId, CourseKey courseKey, CourseMode mode, boolean active) {
}
