package com.example.signup;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollment;
import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Signs a learner up for a verified track: records the order in the service's own table, enrolls the learner
 * (creating the account on first sign-up), then charges the card, all in one Spring transaction. The library's
 * calls join it: a declined card rolls back the order, the account and the enrollment together, and the listeners
 * hear of nothing.
 */
@Service
public class SignupService {
    /** What a verified seat costs. */
    static final int PRICE_CENTS = 4900;

    private final Enrollments enrollments;
    private final JdbcClient jdbc;
    private final PaymentGateway payments;

    SignupService(Enrollments enrollments, JdbcClient jdbc, PaymentGateway payments) {
        this.enrollments = enrollments;
        this.jdbc = jdbc;
        this.payments = payments;
    }

    /** What a sign-up made. */
    public record Signup(long orderId, long enrollmentId, String username, String course, String mode) {
    }

    /**
     * Signs a learner up.
     *
     * @param username the learner
     * @param email    the learner's email, for a new account
     * @param course   the course key
     * @param card     the card to charge
     * @return the order and the enrollment
     */
    @Transactional
    public Signup signUp(String username, String email, String course, String card) {
        CourseKey key = CourseKey.parse(course);
        GeneratedKeyHolder orderId = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO course_order (username, course_id, amount_cents) VALUES (?, ?, ?)")
                .params(username, key.toString(), PRICE_CENTS)
                .update(orderId, "id");
        User learner = enrollments.users().findByUsername(username)
                .orElseGet(() -> enrollments.users().save(User.unsaved(username, email)));
        Enrollment enrollment = enrollments.enrollments().enroll(learner, key, CourseMode.VERIFIED);
        payments.charge(card, PRICE_CENTS);
        return new Signup(orderId.getKey().longValue(), enrollment.id(), username, key.toString(),
                enrollment.mode().slug());
    }
}
