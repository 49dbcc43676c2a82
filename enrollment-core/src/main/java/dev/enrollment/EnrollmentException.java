package dev.enrollment;

/**
 * The root of every exception this library throws. It is unchecked, and only the library creates instances.
 *
 * <p>Catch this type to handle every failure of the library in one place; catch a subclass to branch on what
 * failed:
 * <ul>
 *   <li>{@link InvalidInputException}: an argument was null or broke a rule; nothing was written.</li>
 *   <li>{@link UserAlreadyExistsException}: an unsaved user's username, or the email given to
 *   {@link Users#changeEmail}, is taken; nothing was written.</li>
 *   <li>{@link NotFoundException}: the row an operation needs does not exist.</li>
 *   <li>{@link CourseFullException}: an activation was refused because the course's {@link CourseCapacity} is
 *   reached; nothing was written.</li>
 *   <li>{@link DatabaseException}: the database failed, after the bounded retry where one applies.</li>
 * </ul>
 * Messages name what went wrong and never contain a password or a bound value such as a username.
 */
public abstract class EnrollmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the operation, field or rule
     */
    protected EnrollmentException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure that caused it.
     *
     * @param message what went wrong, naming the operation, field or rule
     * @param cause   the underlying failure, such as the driver's {@link java.sql.SQLException}
     */
    protected EnrollmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
