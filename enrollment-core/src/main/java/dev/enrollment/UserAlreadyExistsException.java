package dev.enrollment;

/**
 * An unsaved {@link User} was given to be saved, but its username is taken. Nothing was written: the library never
 * attaches an unsaved user to an existing account, since that would enroll somebody else. Load the existing user
 * with {@link Users#findByUsername(String)} if it is the same person.
 */
public final class UserAlreadyExistsException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** The username that is taken. */
    private final String username;

    /**
     * Creates the exception.
     *
     * @param username the username that is taken (kept out of the message; see {@link #username()})
     */
    public UserAlreadyExistsException(String username) {
        super("username is taken by an existing user; nothing was written (an unsaved User is never attached to an "
                + "existing account: load it with Users.findByUsername if it is the same person)");
        this.username = username;
    }

    /**
     * Returns the username that is taken.
     *
     * @return the username of the unsaved user that could not be saved
     */
    public String username() {
        return username;
    }
}
