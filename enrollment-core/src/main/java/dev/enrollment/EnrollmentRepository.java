package dev.enrollment;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The enrollments in {@code student_courseenrollment}. Every method takes a {@link User}, never a raw id.
 *
 * <p>Every change writes one row of {@code student_courseenrollment_history} in the same transaction
 * ({@code history_type} {@code +} created, {@code ~} changed, {@code -} deleted; with the actor and reason given
 * to {@link #changedBy}), and fires one {@link EnrollmentEvent} after commit. A call that changes nothing writes
 * no history and fires no event.
 *
 * <p>Get it from {@link Enrollments#enrollments()} or {@link Transaction#enrollments()}. Thread-safe.
 */
public interface EnrollmentRepository {
    /**
     * Returns the user's enrollment in the course, creating it if there is none.
     *
     * <p>A new row is inactive, in mode {@link CourseMode#AUDIT}, with {@code created} set to now (Open edX
     * semantics: {@link #enroll} activates); writes history {@code +} and fires {@link EnrollmentEvent.Type#CREATED}.
     * An existing row is returned unchanged, writing nothing.
     *
     * <p>An unsaved user is inserted first, in the same transaction as the enrollment: both rows are written or
     * neither is (and, as {@link Users#save} does, the user's unused allowances are linked). An unsaved user whose
     * username is taken is never attached to the existing account.
     *
     * <p>Race-safe: concurrent calls for one user and course all return the same row, and none of them sees a
     * duplicate-key error. A saved user is trusted: there is no per-call check that the user row still exists.
     *
     * @param user   a saved user, or an unsaved one to insert first
     * @param course the course
     * @return the enrollment; its {@link Enrollment#user()} is saved
     * @throws InvalidInputException      if an argument is null; nothing is written
     * @throws UserAlreadyExistsException if {@code user} is unsaved and its username (or, where emails are unique,
     *                                    its email) is taken; nothing is written
     * @throws DatabaseException          if the database fails (after retrying deadlocks), or the row is in a mode
     *                                    the library does not know; nothing is written
     */
    Enrollment getOrCreate(User user, CourseKey course);

    /**
     * Makes the user actively enrolled in the course in the given mode: creates the row if there is none
     * ({@code +}, {@link EnrollmentEvent.Type#CREATED}), activates an inactive one ({@code ~},
     * {@link EnrollmentEvent.Type#ACTIVATED}, mode set too), or changes the mode of an active one ({@code ~},
     * {@link EnrollmentEvent.Type#MODE_CHANGED}). Already active in that mode: nothing is written. A row in a mode
     * the library does not know (written by Open edX or another service) gets this mode.
     *
     * <p>An unsaved user is accepted as {@link #getOrCreate} accepts one (Open edX's {@code enroll} goes through
     * {@code get_or_create_enrollment}, which saves the user): it is inserted first, in the same transaction as the
     * enrollment, with its email's allowances linked; both commit or neither does.
     *
     * <p>Concurrent calls for one user and course end in one row whose state is that of the last to commit, with
     * history in commit order. Idempotent: retried on deadlock.
     *
     * <p>When the course has a {@link CourseCapacity} and the call would activate an enrollment (create one, or
     * activate an inactive one) while the course already holds its limit of active enrollments, it throws
     * {@link CourseFullException} and writes nothing. Exact under concurrency: with room for k, k of any number of
     * concurrent calls succeed. A mode change of an active enrollment takes no new seat and is never refused.
     *
     * @param user   a saved user, or an unsaved one to save first
     * @param course the course
     * @param mode   the mode
     * @return the enrollment after the call
     * @throws InvalidInputException      if an argument is null; nothing is written
     * @throws UserAlreadyExistsException if {@code user} is unsaved and its username (or, where emails are unique,
     *                                    its email) is taken; nothing is written
     * @throws CourseFullException       if the course is full; nothing is written
     * @throws DatabaseException          if the database fails; nothing is written
     */
    Enrollment enroll(User user, CourseKey course, CourseMode mode);

    /**
     * Enrolls many users in one course, active in the given mode, in batches of the configured
     * {@linkplain Enrollments.Builder#batchSize(int) batch size}: each batch is one transaction whose new rows go in
     * one multi-row insert-ignore statement. Users without an enrollment get one ({@code +},
     * {@link EnrollmentEvent.Type#CREATED}); inactive enrollments are activated in the mode ({@code ~},
     * {@link EnrollmentEvent.Type#ACTIVATED}); active ones, in any mode, are left as they are.
     *
     * <p>Reads the users as it goes, never holding more than one batch: memory stays flat for any input size.
     * Idempotent: running it again creates nothing, and a run stopped by a failure is completed by running it
     * again. Safe beside concurrent {@link #getOrCreate} and {@link #enroll} calls on the same rows. Each batch is
     * written in user id order, so overlapping bulk runs lock rows in one order.
     *
     * <p>Input is checked before it is written: a {@link java.util.Collection} in full, before the first batch (a
     * bad element means nothing is written); any other {@code Iterable} (or a {@code Stream}), which may be lazy
     * and too large to hold, one batch at a time, before that batch is written.
     *
     * <p>When the course has a {@link CourseCapacity}, each batch seats users in its order (by user id) until the course is
     * full; the users it could not seat (who would have been created or reactivated) are left as they are and counted
     * in {@link BulkResult#refused()}. It never throws {@link CourseFullException}.
     *
     * <p>A batch that meets a deadlock or a Galera certification conflict is retried like any idempotent call
     * ({@linkplain Enrollments.Builder#retryAttempts(int) retryAttempts}, with backoff); if it still fails, it is
     * split in halves, each written (and split again if need be) the same way, down to single users, so bulk work
     * gets through writers on other nodes touching some of its rows. Only a single user's failure after all its
     * attempts ends the call. Inside a caller's {@code transaction} nothing is retried or split.
     *
     * @param course the course
     * @param mode   the mode for created and reactivated enrollments
     * @param users  saved users
     * @return the counts
     * @throws InvalidInputException if an argument is null, or a user in the input is null or unsaved: for a
     *                               {@code Collection}, nothing is written; for a lazy input, the batches before
     *                               the one holding it are committed, and nothing after
     * @throws DatabaseException     if the database fails (batches before it are committed)
     */
    BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users);

    /**
     * As {@link #enrollAll(CourseKey, CourseMode, Iterable)}, reading a stream (which it does not close).
     *
     * @param course the course
     * @param mode   the mode
     * @param users  saved users
     * @return the counts
     */
    BulkResult enrollAll(CourseKey course, CourseMode mode, Stream<User> users);

    /**
     * As {@link #enrollAll(CourseKey, CourseMode, Iterable)}, telling {@code progress} the running totals after
     * each batch commits. Inside a {@link Transaction} nothing commits before the transaction does: there
     * {@code progress} reports each batch as written, and a rollback undoes every batch it reported.
     *
     * @param course   the course
     * @param mode     the mode
     * @param users    saved users
     * @param progress called on the caller's thread after each batch (committed, at the top level) with the totals
     *                 so far
     * @return the counts
     */
    BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users, Consumer<BulkResult> progress);

    /**
     * Deactivates the user's enrollment in the course ({@code ~}, {@link EnrollmentEvent.Type#DEACTIVATED}). The row
     * stays, with its mode. Already inactive: nothing is written.
     *
     * @param user   a saved user
     * @param course the course
     * @return the enrollment after the call
     * @throws InvalidInputException if an argument is null or the user is not saved; nothing is written
     * @throws NotFoundException     if the user has no enrollment in the course; nothing is written
     * @throws DatabaseException     if the database fails; nothing is written
     */
    Enrollment unenroll(User user, CourseKey course);

    /**
     * Deactivates every active enrollment of the user, in one transaction (Open edX's
     * {@code unenroll_user_from_all_courses}, run when an account is retired): {@code ~} and
     * {@link EnrollmentEvent.Type#DEACTIVATED} for each. The rows stay, with their modes. Rows in a course key or mode
     * the library does not know (written by Open edX) are deactivated too, with history, but fire no event and are
     * not returned. Idempotent: a second call changes nothing; retried on deadlock.
     *
     * @param user a saved user
     * @return the enrollments it deactivated, after the change, in course order; empty when there were none
     * @throws InvalidInputException if the user is null or not saved; nothing is written
     * @throws DatabaseException     if the database fails; nothing is written
     */
    List<Enrollment> unenrollAll(User user);

    /**
     * Moves every enrollment of the course in mode {@code from}, active or not, to mode {@code to} (Open edX's
     * {@code bulk_change_enrollment}), in batches of the configured
     * {@linkplain Enrollments.Builder#batchSize(int) batch size}, walking the course's rows in id order (keyset, never
     * OFFSET): each batch is one transaction, with {@code ~} and {@link EnrollmentEvent.Type#MODE_CHANGED} for each
     * row. Rows whose user no longer exists (orphans) are changed too, with history and no event.
     *
     * <p>A run stopped by a failure keeps the batches it committed; running it again finishes the rest (rows already
     * moved no longer match {@code from}). Takes no seat of a {@link CourseCapacity}.
     *
     * @param course the course
     * @param from   the mode to move enrollments out of
     * @param to     the mode to move them to, different from {@code from}
     * @return how many enrollments changed mode
     * @throws InvalidInputException if an argument is null or {@code from == to}; nothing is written
     * @throws DatabaseException     if the database fails (batches before it are committed)
     */
    long changeModeAll(CourseKey course, CourseMode from, CourseMode to);

    /**
     * As {@link #changeModeAll(CourseKey, CourseMode, CourseMode)}, telling {@code progress} the running count after
     * each batch commits.
     *
     * @param course   the course
     * @param from     the mode to move enrollments out of
     * @param to       the mode to move them to
     * @param progress called on the caller's thread after each committed batch with the count so far
     * @return how many enrollments changed mode
     * @throws InvalidInputException if an argument is null or {@code from == to}; nothing is written
     * @throws DatabaseException     if the database fails (batches before it are committed)
     */
    long changeModeAll(CourseKey course, CourseMode from, CourseMode to, LongConsumer progress);

    /**
     * Changes the mode of the user's enrollment in the course, active or not ({@code ~},
     * {@link EnrollmentEvent.Type#MODE_CHANGED}). Already in that mode: nothing is written.
     *
     * @param user   a saved user
     * @param course the course
     * @param mode   the new mode
     * @return the enrollment after the call
     * @throws InvalidInputException if an argument is null or the user is not saved; nothing is written
     * @throws NotFoundException     if the user has no enrollment in the course; nothing is written
     * @throws DatabaseException     if the database fails; nothing is written
     */
    Enrollment changeMode(User user, CourseKey course, CourseMode mode);

    /**
     * Finds the user's enrollment in the course, active or not. Writes nothing.
     *
     * @param user   a saved user
     * @param course the course
     * @return the enrollment, or empty if there is none
     * @throws InvalidInputException if an argument is null or the user is not saved
     * @throws DatabaseException     if the database fails
     */
    Optional<Enrollment> find(User user, CourseKey course);

    /**
     * Tells whether the user has an active enrollment in the course. Writes nothing.
     *
     * @param user   a saved user
     * @param course the course
     * @return true when an active enrollment exists
     * @throws InvalidInputException if an argument is null or the user is not saved
     * @throws DatabaseException     if the database fails
     */
    boolean isEnrolled(User user, CourseKey course);

    /**
     * Lists the user's enrollments, active and inactive, oldest first. Writes nothing.
     *
     * @param user a saved user
     * @return the enrollments
     * @throws InvalidInputException if the user is null or not saved
     * @throws DatabaseException     if the database fails
     */
    List<Enrollment> forUser(User user);

    /**
     * Streams the course's enrollments, active and inactive, in id order, from the server: rows are read as the
     * stream is consumed, never all at once, so a course of any size fits in little memory. The stream holds a
     * connection until it is closed: use try-with-resources. Enrollments whose user row no longer exists (orphans)
     * are left out. Writes nothing.
     *
     * @param course the course
     * @return the enrollments; close it
     * @throws InvalidInputException if the course is null
     * @throws DatabaseException     if the database fails, also while the stream is consumed
     */
    Stream<Enrollment> forCourse(CourseKey course);

    /**
     * Streams the users enrolled in the course that pass the filter, in enrollment id order, from the server, as
     * {@link #forCourse} does. Close it. Writes nothing.
     *
     * @param course the course
     * @param filter active only, or inactive too, and optionally some modes
     * @return the users; close it
     * @throws InvalidInputException if an argument is null
     * @throws DatabaseException     if the database fails, also while the stream is consumed
     */
    Stream<User> usersInCourse(CourseKey course, CourseFilter filter);

    /**
     * Counts the course's active enrollments per mode. Writes nothing.
     *
     * @param course the course
     * @return the counts; modes with no active enrollment are absent
     * @throws InvalidInputException if the course is null
     * @throws DatabaseException     if the database fails
     */
    Map<CourseMode, Long> countsByMode(CourseKey course);

    /**
     * Returns a view of this repository whose changes record who made them and why in the history rows
     * ({@code history_user_id}, {@code history_change_reason}).
     *
     * @param actor  the saved user making the changes, or null for none
     * @param reason why, at most 100 characters, or null for none
     * @return a repository recording the actor and reason
     * @throws InvalidInputException if the actor is not saved or the reason is longer than 100 characters
     */
    EnrollmentRepository changedBy(User actor, String reason);
}
