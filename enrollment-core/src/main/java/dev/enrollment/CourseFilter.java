package dev.enrollment;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which enrollments of a course {@link EnrollmentRepository#usersInCourse} considers: active ones only (the
 * default) or inactive ones too, and optionally only some modes. Immutable.
 *
 * <pre>{@code
 * repo.usersInCourse(course, CourseFilter.active().modes(CourseMode.VERIFIED, CourseMode.PROFESSIONAL))
 * }</pre>
 */
public final class CourseFilter {
    private static final CourseFilter ACTIVE = new CourseFilter(false, EnumSet.noneOf(CourseMode.class));
    private static final CourseFilter ALL = new CourseFilter(true, EnumSet.noneOf(CourseMode.class));

    private final boolean includeInactive;
    private final Set<CourseMode> modes;

    private CourseFilter(boolean includeInactive, Set<CourseMode> modes) {
        this.includeInactive = includeInactive;
        this.modes = Collections.unmodifiableSet(modes);
    }

    /**
     * Active enrollments in any mode.
     *
     * @return the filter
     */
    public static CourseFilter active() {
        return ACTIVE;
    }

    /**
     * Active and inactive enrollments in any mode.
     *
     * @return the filter
     */
    public static CourseFilter includingInactive() {
        return ALL;
    }

    /**
     * Returns a filter that also requires one of these modes.
     *
     * @param first the first mode
     * @param more  more modes
     * @return a new filter
     * @throws InvalidInputException if a mode is null
     */
    public CourseFilter modes(CourseMode first, CourseMode... more) {
        if (first == null || more == null || java.util.Arrays.stream(more).anyMatch(Objects::isNull)) {
            throw new InvalidInputException("modes", "must not be null or contain null");
        }
        EnumSet<CourseMode> set = EnumSet.of(first, more);
        return new CourseFilter(includeInactive, set);
    }

    /**
     * Tells whether inactive enrollments are included.
     *
     * @return true for {@link #includingInactive()}
     */
    public boolean includesInactive() {
        return includeInactive;
    }

    /**
     * Returns the modes required; empty means any mode.
     *
     * @return an unmodifiable set
     */
    public Set<CourseMode> modes() {
        return modes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CourseFilter && includeInactive == ((CourseFilter) o).includeInactive
                && modes.equals(((CourseFilter) o).modes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(includeInactive, modes);
    }

    @Override
    public String toString() {
        return "CourseFilter[" + (includeInactive ? "active and inactive" : "active") + ", modes="
                + (modes.isEmpty() ? "any" : modes.toString()) + "]";
    }
}
