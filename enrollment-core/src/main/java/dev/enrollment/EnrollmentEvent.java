package dev.enrollment;

import java.util.Objects;
import java.util.Optional;

/**
 * A committed change to one enrollment, given to every {@link EnrollmentListener}. Immutable.
 */
public final class EnrollmentEvent {
    /** What happened to the enrollment. */
    public enum Type {
        /** A row was created ({@code before()} is empty); by getOrCreate (inactive) or enroll (active). */
        CREATED,
        /** An inactive row became active (its mode may have changed too). */
        ACTIVATED,
        /** An active row became inactive. */
        DEACTIVATED,
        /** The mode changed and the row stayed as active or inactive as it was. */
        MODE_CHANGED,
        /** The row was deleted ({@code after()} is empty). */
        DELETED
    }

    private final Type type;
    private final Enrollment before;
    private final Enrollment after;

    private EnrollmentEvent(Type type, Enrollment before, Enrollment after) {
        this.type = Objects.requireNonNull(type, "type");
        this.before = before;
        this.after = after;
    }

    /**
     * Makes an event; used by the library.
     *
     * @param type   what happened
     * @param before the row before the change, null for {@link Type#CREATED}
     * @param after  the row after the change, null for {@link Type#DELETED}
     * @return the event
     */
    static EnrollmentEvent of(Type type, Enrollment before, Enrollment after) {
        return new EnrollmentEvent(type, before, after);
    }

    /**
     * Returns what happened.
     *
     * @return the type
     */
    public Type type() {
        return type;
    }

    /**
     * Returns the row before the change.
     *
     * @return the row, or empty for {@link Type#CREATED}
     */
    public Optional<Enrollment> before() {
        return Optional.ofNullable(before);
    }

    /**
     * Returns the row after the change.
     *
     * @return the row, or empty for {@link Type#DELETED}
     */
    public Optional<Enrollment> after() {
        return Optional.ofNullable(after);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EnrollmentEvent)) {
            return false;
        }
        EnrollmentEvent e = (EnrollmentEvent) o;
        return type == e.type && Objects.equals(before, e.before) && Objects.equals(after, e.after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, before, after);
    }

    @Override
    public String toString() {
        return "EnrollmentEvent[" + type + ", before=" + before + ", after=" + after + "]";
    }
}
