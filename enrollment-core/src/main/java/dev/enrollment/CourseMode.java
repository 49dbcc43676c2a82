package dev.enrollment;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Open edX enrollment modes. {@link #slug()} is the string stored in {@code student_courseenrollment.mode}.
 */
public enum CourseMode {
    /** {@code audit}: the default mode, and the mode of rows made by {@code getOrCreate}. */
    AUDIT("audit"),
    /** {@code honor}. */
    HONOR("honor"),
    /** {@code verified}. */
    VERIFIED("verified"),
    /** {@code professional}. */
    PROFESSIONAL("professional"),
    /** {@code no-id-professional}. */
    NO_ID_PROFESSIONAL("no-id-professional"),
    /** {@code credit}. */
    CREDIT("credit"),
    /** {@code masters}. */
    MASTERS("masters"),
    /** {@code executive-education}. */
    EXECUTIVE_EDUCATION("executive-education"),
    /** {@code paid-executive-education}. */
    PAID_EXECUTIVE_EDUCATION("paid-executive-education"),
    /** {@code unpaid-executive-education}. */
    UNPAID_EXECUTIVE_EDUCATION("unpaid-executive-education"),
    /** {@code paid-bootcamp}. */
    PAID_BOOTCAMP("paid-bootcamp"),
    /** {@code unpaid-bootcamp}. */
    UNPAID_BOOTCAMP("unpaid-bootcamp");

    /** The mode new enrollments get when none is given. */
    public static final CourseMode DEFAULT = AUDIT;

    private static final Map<String, CourseMode> BY_SLUG =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(CourseMode::slug, Function.identity()));
    private static final String KNOWN = Arrays.stream(values()).map(CourseMode::slug)
            .collect(Collectors.joining(", "));

    private final String slug;

    CourseMode(String slug) {
        this.slug = slug;
    }

    /**
     * Returns the mode with this slug.
     *
     * @param slug the stored form, such as {@code "verified"} or {@code "no-id-professional"}; exact match
     * @return the mode
     * @throws InvalidInputException if the slug is null or not one of the Open edX modes above
     */
    public static CourseMode of(String slug) {
        if (slug == null) {
            throw new InvalidInputException("mode", "must not be null");
        }
        CourseMode mode = BY_SLUG.get(slug);
        if (mode == null) {
            throw new InvalidInputException("mode", "must be one of the Open edX modes: " + KNOWN);
        }
        return mode;
    }

    /**
     * Returns the string stored in the {@code mode} column.
     *
     * @return the slug, such as {@code "audit"}
     */
    public String slug() {
        return slug;
    }

    @Override
    public String toString() {
        return slug;
    }
}
