-- enrollment schema, version 1, MySQL and MariaDB.
-- Open edX table and column names, so the library also runs on an existing Open edX database.
-- student_courseenrollment.user_id deliberately has no constraint referencing auth_user:
-- the library keeps that integrity in application code (see README, "What replaces the FK").
-- Times are DATETIME(6) holding UTC, as Django's MySQL backend creates them (TIMESTAMP would stop in 2038
-- and convert through the session time zone).

CREATE TABLE auth_user (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    password      VARCHAR(128) NOT NULL,
    last_login    DATETIME(6)  NULL,
    is_superuser  BOOLEAN      NOT NULL,
    username      VARCHAR(150) NOT NULL,
    first_name    VARCHAR(150) NOT NULL DEFAULT '',
    last_name     VARCHAR(150) NOT NULL DEFAULT '',
    email         VARCHAR(254) NOT NULL,
    is_staff      BOOLEAN      NOT NULL,
    is_active     BOOLEAN      NOT NULL,
    date_joined   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY auth_user_username_uniq (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE student_courseenrollment (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    course_id  VARCHAR(255) NOT NULL,
    created    DATETIME(6)  NULL,
    is_active  BOOLEAN      NOT NULL,
    mode       VARCHAR(100) NOT NULL,
    user_id    BIGINT       NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY student_courseenrollment_user_id_course_id_uniq (user_id, course_id),
    KEY student_courseenrollment_course_id_idx (course_id),
    KEY student_courseenrollment_created_idx (created)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
