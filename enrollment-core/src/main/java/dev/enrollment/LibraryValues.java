package dev.enrollment;

import dev.enrollment.internal.Values;

import java.time.Instant;

/** The one way the implementation makes saved users and enrollments; installed by {@link User}. Not API. */
final class LibraryValues implements Values.Factory {
    @Override
    public User savedUser(long id, String username, String email, Object origin) {
        if (id <= 0 || origin == null) {
            throw new IllegalArgumentException("a saved user's id is positive and it belongs to a database");
        }
        return User.saved(id, username, email, origin);
    }

    @Override
    public Object origin(User user) {
        return user.origin();
    }

    @Override
    public Enrollment enrollment(long id, User user, CourseKey course, CourseMode mode, boolean active,
                                 Instant created) {
        return new Enrollment(id, user, course, mode, active, created);
    }

    @Override
    public EnrollmentEvent event(EnrollmentEvent.Type type, Enrollment before, Enrollment after) {
        return EnrollmentEvent.of(type, before, after);
    }

    @Override
    public Allowance allowance(long id, String email, CourseKey course, boolean autoEnroll, Instant created,
                               User user) {
        return new Allowance(id, email, course, autoEnroll, created, user);
    }
}
