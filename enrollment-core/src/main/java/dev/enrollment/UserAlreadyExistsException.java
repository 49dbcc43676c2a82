package dev.enrollment;

/**
 * An unsaved {@link User} was given to be saved, but its username is taken, or its email is where emails are unique
 * (Open edX's {@code auth_user} has a UNIQUE index on {@code email}); or {@link Users#changeEmail} was asked for an
 * email another user has. Nothing was written: the library never attaches an unsaved user to an existing account,
 * since that would enroll somebody else. {@link #reason()} and the message say which value is taken (the message
 * names the field, never its value); load the existing user with {@link Users#findByUsername(String)} if it is the
 * same person.
 */
public final class UserAlreadyExistsException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** Which unique value of {@code auth_user} an existing user already has. */
    public enum Reason {
        /** The username is taken. */
        USERNAME,
        /** The email is taken, where emails are unique (Open edX's rule). */
        EMAIL
    }

    /** The username of the user that could not be saved, or null when unknown. */
    private final String username;
    /** The email that is taken, or null when the username is. */
    private final String email;
    private final Reason reason;

    /**
     * Creates the exception for a taken username.
     *
     * @param username the username that is taken (kept out of the message; see {@link #username()})
     */
    public UserAlreadyExistsException(String username) {
        this(Reason.USERNAME, username, null);
    }

    private UserAlreadyExistsException(Reason reason, String username, String email) {
        super((reason == Reason.EMAIL ? "email is taken by another user (emails are unique here, as Open edX "
                + "requires)" : "username is taken by an existing user") + "; nothing was written (a User is never "
                + "attached to an existing account: load it with Users.findByUsername or findAllByEmail if it is "
                + "the same person)");
        this.reason = reason;
        this.username = username;
        this.email = email;
    }

    /**
     * Makes the exception for an email that another user has, where emails are unique.
     *
     * @param username the username of the user that could not be saved, or null
     * @param email    the email that is taken (kept out of the message; see {@link #email()})
     * @return the exception
     */
    public static UserAlreadyExistsException emailTaken(String username, String email) {
        return new UserAlreadyExistsException(Reason.EMAIL, username, email);
    }

    /**
     * Makes the exception for an email that another user has, where emails are unique.
     *
     * @param email the email that is taken (kept out of the message; see {@link #email()})
     * @return the exception
     */
    public static UserAlreadyExistsException emailTaken(String email) {
        return emailTaken(null, email);
    }

    /**
     * Returns which value is taken.
     *
     * @return {@link Reason#USERNAME} or {@link Reason#EMAIL}
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Returns the email that is taken, for {@link Reason#EMAIL}.
     *
     * @return the email, or empty when the username is what is taken
     */
    public java.util.Optional<String> email() {
        return java.util.Optional.ofNullable(email);
    }

    /**
     * Returns the username of the user that could not be saved: the one that is taken, for {@link Reason#USERNAME}.
     *
     * @return the username, or null when the email is what is taken and the username was not given
     */
    public String username() {
        return username;
    }
}
