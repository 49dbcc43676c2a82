package dev.enrollment;

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
     * @throws UserAlreadyExistsException if the username is taken; nothing is written
     * @throws DatabaseException          if the database fails; nothing is written
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
}
