-- enrollment schema, version 3, PostgreSQL: history moves to the table Open edX writes today.
-- Open edX's django-simple-history keeps course enrollment history in student_courseenrollment_history
-- (HistoricalRecords(history_id_field=UUIDField(default=uuid4), table_name='student_courseenrollment_history'));
-- its migration 0013 dropped student_historicalcourseenrollment, which versions 1 and 2 of this schema wrote.
-- history_id is a uuid, as Django stores a UUIDField on PostgreSQL; the library writes time-ordered UUIDs
-- (version 7). IF NOT EXISTS: on an adopted database the table is kept as it is. No constraint references auth_user.

CREATE TABLE IF NOT EXISTS student_courseenrollment_history (
    id                     BIGINT       NOT NULL,
    created                TIMESTAMP(6) NULL,
    is_active              BOOLEAN      NOT NULL,
    mode                   VARCHAR(100) NOT NULL,
    history_id             UUID         NOT NULL,
    history_date           TIMESTAMP(6) NOT NULL,
    history_change_reason  VARCHAR(100) NULL,
    history_type           VARCHAR(1)   NOT NULL,
    course_id              VARCHAR(255) NULL,
    history_user_id        BIGINT       NULL,
    user_id                BIGINT       NULL,
    CONSTRAINT student_courseenrollment_history_pkey PRIMARY KEY (history_id)
);
CREATE INDEX IF NOT EXISTS student_courseenrollment_history_id_idx ON student_courseenrollment_history (id);
CREATE INDEX IF NOT EXISTS student_courseenrollment_history_created_idx ON student_courseenrollment_history (created);
CREATE INDEX IF NOT EXISTS student_courseenrollment_history_course_id_idx ON student_courseenrollment_history (course_id);
CREATE INDEX IF NOT EXISTS student_courseenrollment_history_user_id_idx ON student_courseenrollment_history (user_id);

-- Every row of the old table. Its numeric history_id becomes a version-7 UUID: the row's history_date in
-- milliseconds since 1970 (the time-ordered part), then the old id in the low bits (so each stays unique).
INSERT INTO student_courseenrollment_history (id, created, is_active, mode, history_id, history_date,
                                              history_change_reason, history_type, course_id, history_user_id, user_id)
SELECT id, created, is_active, mode,
       (lpad(to_hex(floor(extract(epoch FROM history_date) * 1000)::bigint), 12, '0')
        || '70008' || lpad(to_hex(history_id), 15, '0'))::uuid,
       history_date, history_change_reason, history_type, course_id, history_user_id, user_id
FROM student_historicalcourseenrollment
ORDER BY history_id;

DROP TABLE student_historicalcourseenrollment;
