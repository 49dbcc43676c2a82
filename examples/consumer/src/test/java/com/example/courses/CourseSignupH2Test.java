package com.example.courses;

import dev.enrollment.testkit.EnrollmentsExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service on an in-memory H2 database per test: no server needed. */
class CourseSignupH2Test extends CourseSignupContract {
    @RegisterExtension
    static EnrollmentsExtension db = EnrollmentsExtension.h2();

    @Override
    EnrollmentsExtension db() {
        return db;
    }
}
