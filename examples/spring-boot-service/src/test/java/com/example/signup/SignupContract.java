package com.example.signup;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The service through HTTP, as its clients use it; each database runs the same cases. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class SignupContract {
    private static final String COURSE = "course-v1:edX+Boot+2026";
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    WelcomeMails mails;
    @Autowired
    MeterRegistry meters;

    @Test
    void aPaidSignUpSavesTheOrderAndTheEnrollmentAndWelcomesTheLearnerAfterTheCommit() throws Exception {
        String learner = unique("ann");
        HttpResponse<String> response = post(learner, "4242424242424242");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.body()).contains("\"mode\":\"verified\"").contains(learner);
        assertThat(orders(learner)).isEqualTo(1);
        assertThat(enrollments(learner)).isEqualTo(1);
        assertThat(mails.sent()).contains(learner + " -> " + COURSE);
    }

    @Test
    void aDeclinedPaymentRollsBackTheOrderTheAccountAndTheEnrollment() throws Exception {
        String learner = unique("bob");
        HttpResponse<String> response = post(learner, "4000000000000002");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(402);
        assertThat(orders(learner)).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM auth_user WHERE username = ?").param(learner)
                .query(Long.class).single()).isZero();
        assertThat(enrollments(learner)).isZero();
        assertThat(mails.sent()).noneMatch(m -> m.startsWith(learner + " "));
    }

    @Test
    void badInputIsABadRequestAndWritesNothing() throws Exception {
        String learner = unique("cat");
        HttpResponse<String> response = send("{\"username\":\"" + learner + "\",\"email\":\"c@example.com\","
                + "\"course\":\"not a course\",\"card\":\"4242424242424242\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("course");
        assertThat(orders(learner)).isZero();
    }

    @Test
    void healthShowsTheEnrollmentContributorUp() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JsonPath.<String>read(response.body(), "$.components.enrollment.status")).isEqualTo("UP");
        assertThat(JsonPath.<String>read(response.body(), "$.components.enrollment.details.schemaVersion"))
                .isNotEmpty();
    }

    @Test
    void everyLibraryCallIsTimed() throws Exception {
        String learner = unique("dan");
        assertThat(post(learner, "4242424242424242").statusCode()).isEqualTo(201);
        assertThat(meters.get("enrollment.operation").tags("operation", "enroll", "outcome", "success").timer()
                .count()).isPositive();
        assertThat(meters.get("enrollment.operation").tags("operation", "findByUsername").timer().count())
                .isPositive();
    }

    private HttpResponse<String> post(String username, String card) throws IOException, InterruptedException {
        return send("{\"username\":\"" + username + "\",\"email\":\"" + username + "@example.com\",\"course\":\""
                + COURSE + "\",\"card\":\"" + card + "\"}");
    }

    private HttpResponse<String> send(String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/signups")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private long orders(String username) {
        return jdbc.sql("SELECT COUNT(*) FROM course_order WHERE username = ?").param(username)
                .query(Long.class).single();
    }

    private long enrollments(String username) {
        return jdbc.sql("SELECT COUNT(*) FROM student_courseenrollment e JOIN auth_user u ON u.id = e.user_id "
                + "WHERE u.username = ?").param(username).query(Long.class).single();
    }

    private static String unique(String name) {
        return name + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
