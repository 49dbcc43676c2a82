package dev.enrollment;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code student_courseenrollment}: a user's enrollment in a course. Immutable; made only by the
 * library; equal when every component is equal.
 */
public final class Enrollment {
    private final long id;
    private final User user;
    private final CourseKey courseKey;
    private final CourseMode mode;
    private final boolean active;
    private final Instant created;

    Enrollment(long id, User user, CourseKey courseKey, CourseMode mode, boolean active, Instant created) {
        this.id = id;
        this.user = Objects.requireNonNull(user, "user");
        this.courseKey = Objects.requireNonNull(courseKey, "courseKey");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.active = active;
        this.created = created;
    }

    /**
     * Returns the row's id.
     *
     * @return the primary key of the enrollment
     */
    public long id() {
        return id;
    }

    /**
     * Returns the enrolled user, always saved.
     *
     * @return the user the enrollment belongs to
     */
    public User user() {
        return user;
    }

    /**
     * Returns the course.
     *
     * @return the course key
     */
    public CourseKey courseKey() {
        return courseKey;
    }

    /**
     * Returns the enrollment mode.
     *
     * @return the mode
     */
    public CourseMode mode() {
        return mode;
    }

    /**
     * Tells whether the enrollment is active. Rows made by {@code getOrCreate} start inactive, as in Open edX.
     *
     * @return the {@code is_active} column
     */
    public boolean isActive() {
        return active;
    }

    /**
     * Returns when the row was created.
     *
     * @return the {@code created} column, in microseconds; null only for rows written by other software that left
     *         it empty
     */
    public Instant created() {
        return created;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Enrollment)) {
            return false;
        }
        Enrollment other = (Enrollment) o;
        return id == other.id && active == other.active && user.equals(other.user)
                && courseKey.equals(other.courseKey) && mode == other.mode && Objects.equals(created, other.created);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, user, courseKey, mode, active, created);
    }

    @Override
    public String toString() {
        return "Enrollment[id=" + id + ", user=" + user + ", course=" + courseKey + ", mode=" + mode
                + ", active=" + active + ", created=" + created + "]";
    }
}
