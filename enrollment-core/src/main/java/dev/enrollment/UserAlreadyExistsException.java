package dev.enrollment;

/**
 * An unsaved {@link User} was given to be saved, but its username is taken; or {@link Users#changeEmail} was asked
 * for an email another user has (made by {@link #emailTaken(String)}: then {@link #email()} is present). Nothing was
 * written: the library never attaches an unsaved user to an existing account, since that would enroll somebody
 * else. Load the existing user with {@link Users#findByUsername(String)} if it is the same person.
 */
public final class UserAlreadyExistsException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** The username that is taken, or null when the email is. */
    private final String username;
    /** The email that is taken, or null when the username is. */
    private final String email;

    /**
     * Creates the exception.
     *
     * @param username the username that is taken (kept out of the message; see {@link #username()})
     */
    public UserAlreadyExistsException(String username) {
        super("username is taken by an existing user; nothing was written (an unsaved User is never attached to an "
                + "existing account: load it with Users.findByUsername if it is the same person)");
        this.username = username;
        this.email = null;
    }

    private UserAlreadyExistsException(String message, String email) {
        super(message);
        this.username = null;
        this.email = email;
    }

    /**
     * Creates the exception for an email that another user has, where emails are unique (Open edX's rule, and its
     * {@code auth_user} has a unique index on {@code email}). The message names the field, never its value.
     *
     * @param email the email that is taken (kept out of the message; see {@link #email()})
     * @return the exception
     */
    public static UserAlreadyExistsException emailTaken(String email) {
        return new UserAlreadyExistsException("email is taken by another user; nothing was written (emails are "
                + "unique, as Open edX requires: load that user with Users.findAllByEmail if it is the same person)",
                email);
    }

    /**
     * Returns the username that is taken.
     *
     * @return the username of the unsaved user that could not be saved, or null when it is the email that is taken
     */
    public String username() {
        return username;
    }

    /**
     * Returns the email that is taken, when that is the reason.
     *
     * @return the email, or empty when it is the username that is taken
     */
    public java.util.Optional<String> email() {
        return java.util.Optional.ofNullable(email);
    }
}
