-- The service's own table, beside the enrollment library's (which keeps its own Flyway history).
CREATE TABLE course_order (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username     VARCHAR(150) NOT NULL,
    course_id    VARCHAR(255) NOT NULL,
    amount_cents INT          NOT NULL
);
