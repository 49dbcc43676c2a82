package com.example.courses;

import dev.enrollment.CourseKey;
import dev.enrollment.Enrollment;
import dev.enrollment.Enrollments;
import dev.enrollment.User;

import java.util.Optional;

/**
 * A service of the consumer's own: signs learners up for courses, creating their account on first sign-up. It holds
 * an {@link Enrollments} built once at start-up (from the service's data source) and shared.
 */
public final class CourseSignup {
    private final Enrollments enrollments;

    /**
     * Creates the service.
     *
     * @param enrollments the library, built once for the service's database
     */
    public CourseSignup(Enrollments enrollments) {
        this.enrollments = enrollments;
    }

    /**
     * Signs a learner up for a course. A learner seen for the first time is created in the same transaction as the
     * enrollment; signing up twice returns the same enrollment.
     *
     * @param username the learner's username
     * @param email    the learner's email, used only when the account is created
     * @param course   a course key such as {@code course-v1:edX+DemoX+2026}
     * @return the enrollment (new ones are inactive audit rows until the learner pays or confirms)
     * @throws dev.enrollment.InvalidInputException for a malformed username, email or course; nothing is written
     */
    public Enrollment signUp(String username, String email, String course) {
        CourseKey key = CourseKey.parse(course);
        User learner = enrollments.users().findByUsername(username).orElseGet(() -> User.unsaved(username, email));
        return enrollments.enrollments().getOrCreate(learner, key);
    }

    /**
     * Finds a learner's enrollment in a course.
     *
     * @param username the learner's username
     * @param course   the course key
     * @return the enrollment, if the learner exists and signed up
     */
    public Optional<Enrollment> signUpOf(String username, String course) {
        CourseKey key = CourseKey.parse(course);
        return enrollments.users().findByUsername(username).flatMap(u -> enrollments.enrollments().find(u, key));
    }
}
