package dev.enrollment;

import java.util.Optional;

/**
 * The enrollments in {@code student_courseenrollment}. Every method takes a {@link User}, never a raw id.
 *
 * <p>Get it from {@link Enrollments#enrollments()}. Thread-safe.
 */
public interface EnrollmentRepository {
    /**
     * Returns the user's enrollment in the course, creating it if there is none.
     *
     * <p>A new row is inactive, in mode {@link CourseMode#AUDIT}, with {@code created} set to now (Open edX
     * semantics: {@code enroll} activates). An existing row is returned unchanged.
     *
     * <p>An unsaved user is inserted first, in the same transaction as the enrollment: both rows are written or
     * neither is. An unsaved user whose username is taken is never attached to the existing account.
     *
     * <p>Race-safe: concurrent calls for one user and course all return the same row, and none of them sees a
     * duplicate-key error. A saved user is trusted: there is no per-call check that the user row still exists.
     *
     * @param user   a saved user, or an unsaved one to insert first
     * @param course the course
     * @return the enrollment; its {@link Enrollment#user()} is saved
     * @throws InvalidInputException      if an argument is null; nothing is written
     * @throws UserAlreadyExistsException if {@code user} is unsaved and its username is taken; nothing is written
     * @throws DatabaseException          if the database fails (after retrying deadlocks); nothing is written
     */
    Enrollment getOrCreate(User user, CourseKey course);

    /**
     * Finds the user's enrollment in the course, active or not.
     *
     * @param user   a saved user
     * @param course the course
     * @return the enrollment, or empty if there is none
     * @throws InvalidInputException if an argument is null or the user is not saved
     * @throws DatabaseException     if the database fails
     */
    Optional<Enrollment> find(User user, CourseKey course);

    /**
     * Tells whether the user has an active enrollment in the course.
     *
     * @param user   a saved user
     * @param course the course
     * @return true when an active enrollment exists
     * @throws InvalidInputException if an argument is null or the user is not saved
     * @throws DatabaseException     if the database fails
     */
    boolean isEnrolled(User user, CourseKey course);
}
