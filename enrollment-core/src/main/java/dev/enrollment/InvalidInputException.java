package dev.enrollment;

import java.util.Objects;

/**
 * An argument was null or broke one of the library's rules. Thrown before anything is written.
 *
 * <p>The message is {@code "<field> <rule>"}, for example {@code "username must be at most 150 characters (was
 * 151)"}; {@link #field()} and {@link #rule()} give the two parts separately. The offending value itself is never
 * repeated in the message, so hostile input cannot reach logs through it.
 */
public final class InvalidInputException extends EnrollmentException {
    private static final long serialVersionUID = 1L;

    /** The argument or field that was wrong. */
    private final String field;
    /** The rule it broke. */
    private final String rule;

    /**
     * Creates the exception.
     *
     * @param field the argument or field that was wrong, such as {@code "username"} or {@code "course"}
     * @param rule  the rule it broke, phrased to follow the field name, such as {@code "must not be null"}
     */
    public InvalidInputException(String field, String rule) {
        super(Objects.requireNonNull(field, "field") + " " + Objects.requireNonNull(rule, "rule"));
        this.field = field;
        this.rule = rule;
    }

    /**
     * Returns the name of the argument or field that was wrong.
     *
     * @return the field name, such as {@code "username"}, {@code "email"}, {@code "course"} or {@code "mode"}
     */
    public String field() {
        return field;
    }

    /**
     * Returns the rule the value broke.
     *
     * @return the rule, such as {@code "must not be null"}
     */
    public String rule() {
        return rule;
    }
}
