package dev.enrollment;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The users in {@code auth_user}. The only way to obtain a saved {@link User}.
 *
 * <p>Get it from {@link Enrollments#users()}. Thread-safe.
 */
public interface Users {
    /**
     * Inserts an unsaved user. The row gets an unusable password (as Django's {@code set_unusable_password}), is
     * active, and is neither staff nor superuser.
     *
     * @param unsaved a user made by {@link User#unsaved(String, String)}
     * @return the saved user, with its id
     * @throws InvalidInputException      if {@code unsaved} is null or already saved
     * @throws UserAlreadyExistsException if the username is taken, or the email is on a database that keeps emails
     *                                    unique (Open edX's {@code auth_user}); its {@code reason()} and message say
     *                                    which; nothing is written
     * @throws DatabaseException          if the database fails, or another unique index of {@code auth_user}
     *                                    refuses the row; nothing is written
     */
    User save(User unsaved);

    /**
     * Loads a user by id.
     *
     * @param id the user's id
     * @return the user, or empty if there is no such row
     * @throws DatabaseException if the database fails
     */
    Optional<User> findById(long id);

    /**
     * Loads a user by username (compared by the database's collation: case-insensitively on MySQL's defaults).
     *
     * @param username the username; normalized to NFKC as {@link User#unsaved} does
     * @return the user, or empty if there is none
     * @throws InvalidInputException if the username is null or breaks the username rule
     * @throws DatabaseException     if the database fails
     */
    Optional<User> findByUsername(String username);

    /**
     * Loads many users by id, a batch per query. Ids without a user are left out.
     *
     * @param ids the ids; duplicates are looked up once
     * @return the users found, in id order
     * @throws InvalidInputException if ids is null or contains null
     * @throws DatabaseException     if the database fails
     */
    List<User> findAllById(Collection<Long> ids);

    /**
     * Loads many users by username, a batch per query (compared as {@link #findByUsername} does). Usernames
     * without a user are left out.
     *
     * @param usernames the usernames, each following the username rule
     * @return the users found, in id order
     * @throws InvalidInputException if usernames is null or holds a null or invalid username
     * @throws DatabaseException     if the database fails
     */
    List<User> findAllByUsername(Collection<String> usernames);

    /**
     * Loads the users with any of these emails, a batch per query, compared case-insensitively. Emails are not
     * unique in {@code auth_user}: one email may give several users.
     *
     * @param emails the emails, each following the email rule and not empty
     * @return the users found, in id order
     * @throws InvalidInputException if emails is null or holds a null, empty or invalid email
     * @throws DatabaseException     if the database fails
     */
    List<User> findAllByEmail(Collection<String> emails);

    /**
     * Changes a user's email, and links the new email's unused allowances to the user in the same transaction (Open
     * edX's {@code user_post_save_callback}): the auto-enroll ones become active enrollments, as on
     * {@link #save} (an existing enrollment keeps a mode other than audit; a course that is full, see
     * {@link CourseCapacity}, is skipped and its allowance still linked). Allowances of the old email stay with the
     * user.
     *
     * <p>Emails are unique, as Open edX requires: an email that another user has, compared case-insensitively, is
     * refused, both where {@code auth_user} has a unique index on {@code email} (an Open edX database) and on the
     * library's own schema, which has none (there the check is a read in the same transaction; two concurrent
     * changes to one new email can both pass it, as two concurrent {@link #save}s can). Changing the letter case of
     * the user's own email is allowed. An empty email is never refused as taken.
     *
     * @param user  a saved user
     * @param email the new email: empty, or one {@code @} and at most 254 characters
     * @return the user with the new email
     * @throws InvalidInputException      if the user is null or unsaved, or the email null or invalid; nothing written
     * @throws UserAlreadyExistsException if another user has the email ({@link UserAlreadyExistsException#email()}
     *                                    is present); nothing written
     * @throws NotFoundException          if the user row no longer exists; nothing written
     * @throws DatabaseException          if the database fails; nothing written
     */
    User changeEmail(User user, String email);

    /**
     * Deletes a user, all or nothing, in one transaction: the user's enrollments (in statements of the configured
     * {@linkplain Enrollments.Builder#batchSize(int) batch size}, each enrollment with a history row {@code -} and a
     * {@link EnrollmentEvent.Type#DELETED} event after the commit), the allowances the user used, then the user row.
     * On an Open edX database other tables hold foreign keys to {@code auth_user} ({@code auth_userprofile}, ...)
     * and to enrollments ({@code student_courseenrollmentattribute}, ...); when one refuses, everything rolls back:
     * the user, their enrollments, allowances and history are as they were, and the exception names the table.
     * Deleting a user that is already gone removes what is left of it.
     *
     * @param user a saved user
     * @throws InvalidInputException if the user is null or unsaved
     * @throws DatabaseException     if the database fails or another table still references the user or one of
     *                               their enrollments (naming that table); nothing is deleted. Inside a
     *                               {@link Enrollments#transaction transaction}, that transaction then rolls back
     */
    void delete(User user);
}
