-- enrollment schema, version 3, MySQL and MariaDB: history moves to the table Open edX writes today.
-- Open edX's django-simple-history keeps course enrollment history in student_courseenrollment_history
-- (HistoricalRecords(history_id_field=UUIDField(default=uuid4), table_name='student_courseenrollment_history'));
-- its migration 0013 dropped student_historicalcourseenrollment, which versions 1 and 2 of this schema wrote.
-- history_id is a UUID stored as Django stores a UUIDField on MySQL: 32 lower-case hex digits, no dashes. The library
-- writes time-ordered UUIDs (version 7), so InnoDB appends to the primary key instead of splitting its pages.
-- IF NOT EXISTS: on an adopted Open edX database the table is Open edX's own, and is kept as it is.
-- No constraint references auth_user.

CREATE TABLE IF NOT EXISTS student_courseenrollment_history (
    id                     BIGINT       NOT NULL,
    created                DATETIME(6)  NULL,
    is_active              BOOLEAN      NOT NULL,
    mode                   VARCHAR(100) NOT NULL,
    history_id             CHAR(32)     NOT NULL,
    history_date           DATETIME(6)  NOT NULL,
    history_change_reason  VARCHAR(100) NULL,
    history_type           VARCHAR(1)   NOT NULL,
    course_id              VARCHAR(255) NULL,
    history_user_id        BIGINT       NULL,
    user_id                BIGINT       NULL,
    PRIMARY KEY (history_id),
    KEY student_courseenrollment_history_id_idx (id),
    KEY student_courseenrollment_history_created_idx (created),
    KEY student_courseenrollment_history_course_id_idx (course_id),
    KEY student_courseenrollment_history_user_id_idx (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Every row of the old table, in its order. Its numeric history_id becomes a version-7 UUID: the row's history_date
-- in milliseconds since 1970 (the time-ordered part), then the old id in the low bits (so each stays unique).
INSERT INTO student_courseenrollment_history (id, created, is_active, mode, history_id, history_date,
                                              history_change_reason, history_type, course_id, history_user_id, user_id)
SELECT id, created, is_active, mode,
       LOWER(CONCAT(LPAD(HEX(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', history_date) DIV 1000), 12, '0'),
                    '70008', LPAD(HEX(history_id), 15, '0'))),
       history_date, history_change_reason, history_type, course_id, history_user_id, user_id
FROM student_historicalcourseenrollment
ORDER BY history_id;

DROP TABLE student_historicalcourseenrollment;
