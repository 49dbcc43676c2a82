-- enrollment schema, version 4, H2: one row per course that has a capacity (Enrollments.Builder.capacity).
-- The row is the course's lock: an activation in a capped course locks it first, then counts the active
-- enrollments, so that concurrent enrollments never go past the limit. Courses without a capacity never get a row.
-- version is bookkeeping only (the active count is always read from student_courseenrollment).
-- No constraint references any other table.
-- IF NOT EXISTS: adopt() baselines an existing Open edX schema at version 1 and then runs this.

CREATE TABLE IF NOT EXISTS enrollment_course_seat (
    course_id    VARCHAR(255) NOT NULL,
    version      BIGINT       NOT NULL,
    CONSTRAINT enrollment_course_seat_pkey PRIMARY KEY (course_id)
);
