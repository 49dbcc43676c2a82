package dev.enrollment;

import java.util.List;

/**
 * Pre-enrollment by email (Open edX's CourseEnrollmentAllowed, table {@code student_courseenrollmentallowed}).
 *
 * <p>When a user is saved ({@link Users#save} or {@link EnrollmentRepository#getOrCreate} with an unsaved user),
 * every allowance for its email that no user has used yet is linked to it in the same transaction, and the
 * auto-enroll ones become active {@link CourseMode#AUDIT} enrollments (firing their events; an existing enrollment
 * in another mode keeps it, and an inactive one is activated). The same happens when a user's email is changed to
 * the allowance's ({@link Users#changeEmail}), and at once when the allowance is made for an email a user already
 * has ({@link #allow}). An allowance is used by one user only: a later user with the same email, in any letter
 * case, does not reuse it. Emails are compared case-insensitively and stored lower-cased; addresses that differ by
 * an accent are different emails on every database.
 *
 * <p>When the course has a {@link CourseCapacity} and is full, an auto-enroll allowance used by a save or an email
 * change is still linked to the user (it is used) but enrolls nobody, and the save or change succeeds: an account is
 * never refused because a course filled up. {@link #allow} for an existing user is refused instead
 * ({@link CourseFullException}), as {@link EnrollmentRepository#enroll} would be. Thread-safe.
 */
public interface Allowances {
    /**
     * Allows an email into a course. Calling it again for the same email and course updates {@code autoEnroll} and
     * keeps the row (and any user already linked to it).
     *
     * <p>Writes one row of {@code student_courseenrollmentallowed}. When a user already has the email (compared
     * case-insensitively; the one with the lowest id if several have it), the allowance is linked to that user in
     * the same transaction, and with {@code autoEnroll} the user is enrolled at once, as
     * {@link EnrollmentRepository#enroll} in {@link CourseMode#AUDIT} would, except that an active enrollment keeps
     * its mode (firing the enrollment's events after commit). With {@code autoEnroll}, the user an allowance is
     * already linked to is enrolled again if they are not actively enrolled. Otherwise fires no event.
     *
     * @param email      a non-empty email: one {@code @}, at most 254 characters
     * @param course     the course
     * @param autoEnroll whether the user who gets this email is enrolled at once (when saved, or now if the email
     *                   already belongs to a user)
     * @throws InvalidInputException if the email is null, empty or invalid, or the course is null; nothing written
     * @throws CourseFullException   if the email's user would be enrolled in a full course; nothing written
     * @throws DatabaseException     if the database fails; nothing written
     */
    void allow(String email, CourseKey course, boolean autoEnroll);

    /**
     * Deletes the email's allowance for the course, used or not (Open edX's {@code unenroll_email}, without its
     * unenrollment: use {@link EnrollmentRepository#unenroll} for that). A revoked allowance never enrolls anyone
     * afterwards. Enrollments it made are left as they are. Fires no event. Idempotent: retried on deadlock.
     *
     * @param email  a non-empty email, compared case-insensitively
     * @param course the course
     * @return true when an allowance was deleted, false when there was none
     * @throws InvalidInputException if the email is null, empty or invalid, or the course is null; nothing written
     * @throws DatabaseException     if the database fails; nothing written
     */
    boolean revoke(String email, CourseKey course);

    /**
     * Deletes every allowance of the email, used or not, in one transaction (the retirement pipeline's
     * {@code CourseEnrollmentAllowed.delete_by_user_value}). Enrollments are left as they are; fires no event.
     * Idempotent: retried on deadlock.
     *
     * @param email a non-empty email, compared case-insensitively
     * @return how many allowances were deleted
     * @throws InvalidInputException if the email is null, empty or invalid; nothing written
     * @throws DatabaseException     if the database fails; nothing written
     */
    long revokeAll(String email);

    /**
     * Lists the allowances for an email, compared case-insensitively, oldest first.
     *
     * @param email the email
     * @return the allowances, used or not
     * @throws InvalidInputException if the email is null or invalid
     * @throws DatabaseException     if the database fails
     */
    List<Allowance> forEmail(String email);
}
