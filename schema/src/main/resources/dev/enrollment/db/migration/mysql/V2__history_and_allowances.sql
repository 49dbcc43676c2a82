-- enrollment schema, version 2, MySQL and MariaDB: Open edX's enrollment history (django-simple-history) and
-- pre-enrollment by email. Neither table has a constraint referencing auth_user.
-- IF NOT EXISTS: adopt() baselines an existing Open edX schema at version 1, and keeps these tables if it has them.

CREATE TABLE IF NOT EXISTS student_historicalcourseenrollment (
    id                     BIGINT       NOT NULL,
    created                DATETIME(6)  NULL,
    is_active              BOOLEAN      NOT NULL,
    mode                   VARCHAR(100) NOT NULL,
    history_id             BIGINT       NOT NULL AUTO_INCREMENT,
    history_date           DATETIME(6)  NOT NULL,
    history_change_reason  VARCHAR(100) NULL,
    history_type           CHAR(1)      NOT NULL,
    course_id              VARCHAR(255) NOT NULL,
    history_user_id        BIGINT       NULL,
    user_id                BIGINT       NULL,
    PRIMARY KEY (history_id),
    KEY student_historicalcourseenrollment_id_idx (id),
    KEY student_historicalcourseenrollment_history_date_idx (history_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Emails are compared case-insensitively: the library stores them lower-cased, and the default _ci collation
-- also matches mixed-case rows written by Open edX itself.
CREATE TABLE IF NOT EXISTS student_courseenrollmentallowed (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    email        VARCHAR(255) NOT NULL,
    course_id    VARCHAR(255) NOT NULL,
    created      DATETIME(6)  NULL,
    auto_enroll  BOOLEAN      NOT NULL,
    user_id      BIGINT       NULL,
    PRIMARY KEY (id),
    UNIQUE KEY student_courseenrollmentallowed_email_course_id_uniq (email, course_id),
    KEY student_courseenrollmentallowed_course_id_idx (course_id),
    KEY student_courseenrollmentallowed_user_id_idx (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
