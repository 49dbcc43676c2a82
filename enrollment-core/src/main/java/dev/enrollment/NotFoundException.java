package dev.enrollment;

/**
 * The row an operation needs does not exist, for example an enrollment to deactivate. Nothing was written.
 */
public final class NotFoundException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was looked for and by which operation
     */
    public NotFoundException(String message) {
        super(message);
    }
}
