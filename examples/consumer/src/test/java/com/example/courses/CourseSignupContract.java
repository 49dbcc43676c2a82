package com.example.courses;

import dev.enrollment.CourseMode;
import dev.enrollment.Enrollment;
import dev.enrollment.Enrollments;
import dev.enrollment.InvalidInputException;
import dev.enrollment.testkit.EnrollmentsExtension;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The service's behaviour, on whichever database a subclass registers the test kit for. */
abstract class CourseSignupContract {
    static final String DEMO = "course-v1:edX+DemoX+2026";

    abstract EnrollmentsExtension db();

    @Test
    void aFirstSignUpCreatesTheLearnerAndTheEnrollmentTogether(Enrollments enrollments) throws SQLException {
        CourseSignup signup = new CourseSignup(enrollments);

        Enrollment e = signup.signUp("alice", "alice@example.com", DEMO);

        assertThat(e.user().isSaved()).isTrue();
        assertThat(e.mode()).isEqualTo(CourseMode.AUDIT);
        assertThat(e.isActive()).isFalse();
        assertThat(count("auth_user")).isEqualTo(1);
        assertThat(count("student_courseenrollment")).isEqualTo(1);
    }

    @Test
    void signingUpAgainReturnsTheSameEnrollmentAndReusesTheLearner(Enrollments enrollments) throws SQLException {
        CourseSignup signup = new CourseSignup(enrollments);
        Enrollment first = signup.signUp("bob", "bob@example.com", DEMO);

        Enrollment again = signup.signUp("bob", "bob@example.com", DEMO);
        Enrollment other = signup.signUp("bob", "bob@example.com", "course-v1:HarvardX+CS50+2026_T1");

        assertThat(again).isEqualTo(first);
        assertThat(other.user()).isEqualTo(first.user());
        assertThat(count("auth_user")).isEqualTo(1);
        assertThat(signup.signUpOf("bob", DEMO)).contains(first);
        assertThat(signup.signUpOf("nobody", DEMO)).isEmpty();
    }

    @Test
    void aMalformedCourseIsRefusedAndNothingIsWritten() throws SQLException {
        CourseSignup signup = new CourseSignup(db().enrollments());

        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> signup.signUp("carol", "carol@example.com", "not a course"));

        assertThat(e.field()).isEqualTo("course");
        assertThat(count("auth_user")).isZero();
    }

    /** Plain SQL on the test's own database, as a consumer's test may do. */
    long count(String table) throws SQLException {
        try (Connection c = db().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
