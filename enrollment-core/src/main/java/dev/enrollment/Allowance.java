package dev.enrollment;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of {@code student_courseenrollmentallowed} (Open edX's CourseEnrollmentAllowed): an email allowed into a
 * course before any user has it. Immutable; made only by the library.
 */
public final class Allowance {
    private final long id;
    private final String email;
    private final CourseKey courseKey;
    private final boolean autoEnroll;
    private final Instant created;
    private final User user;

    Allowance(long id, String email, CourseKey courseKey, boolean autoEnroll, Instant created, User user) {
        this.id = id;
        this.email = Objects.requireNonNull(email, "email");
        this.courseKey = Objects.requireNonNull(courseKey, "courseKey");
        this.autoEnroll = autoEnroll;
        this.created = created;
        this.user = user;
    }

    /**
     * Returns the row's id.
     *
     * @return the primary key
     */
    public long id() {
        return id;
    }

    /**
     * Returns the allowed email, lower-cased (emails compare case-insensitively).
     *
     * @return the email
     */
    public String email() {
        return email;
    }

    /**
     * Returns the course the email is allowed into.
     *
     * @return the course
     */
    public CourseKey courseKey() {
        return courseKey;
    }

    /**
     * Tells whether a user saved with this email is enrolled (active, audit) at once.
     *
     * @return the {@code auto_enroll} column
     */
    public boolean autoEnroll() {
        return autoEnroll;
    }

    /**
     * Returns when the allowance was created.
     *
     * @return the {@code created} column; null for rows written by other software that left it empty
     */
    public Instant created() {
        return created;
    }

    /**
     * Returns the user the allowance was used by, once a user with this email has been saved.
     *
     * @return the user, or empty while the allowance is unused (or if that user has since been deleted)
     */
    public Optional<User> user() {
        return Optional.ofNullable(user);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Allowance)) {
            return false;
        }
        Allowance a = (Allowance) o;
        return id == a.id && autoEnroll == a.autoEnroll && email.equals(a.email) && courseKey.equals(a.courseKey)
                && Objects.equals(created, a.created) && Objects.equals(user, a.user);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, email, courseKey, autoEnroll, created, user);
    }

    @Override
    public String toString() {
        return "Allowance[id=" + id + ", course=" + courseKey + ", autoEnroll=" + autoEnroll
                + ", user=" + user + "]";
    }
}
