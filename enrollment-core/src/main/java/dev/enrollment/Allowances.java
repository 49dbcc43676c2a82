package dev.enrollment;

import java.util.List;

/**
 * Pre-enrollment by email (Open edX's CourseEnrollmentAllowed, table {@code student_courseenrollmentallowed}).
 *
 * <p>When a user is saved ({@link Users#save} or {@link EnrollmentRepository#getOrCreate} with an unsaved user),
 * every allowance for its email that no user has used yet is linked to it in the same transaction, and the
 * auto-enroll ones become active {@link CourseMode#AUDIT} enrollments (firing their events). An allowance is used
 * by one user only: a later user with the same email, in any letter case, does not reuse it. Emails are compared
 * case-insensitively and stored lower-cased. Thread-safe.
 */
public interface Allowances {
    /**
     * Allows an email into a course. Calling it again for the same email and course updates {@code autoEnroll} and
     * keeps the row (and any user already linked to it).
     *
     * <p>Writes one row of {@code student_courseenrollmentallowed}; fires no event.
     *
     * @param email      a non-empty email: one {@code @}, at most 254 characters
     * @param course     the course
     * @param autoEnroll whether the user who gets this email is enrolled at once when saved
     * @throws InvalidInputException if the email is null, empty or invalid, or the course is null; nothing written
     * @throws DatabaseException     if the database fails; nothing written
     */
    void allow(String email, CourseKey course, boolean autoEnroll);

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
