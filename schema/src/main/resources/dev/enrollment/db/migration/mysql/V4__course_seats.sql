-- enrollment schema, version 4, MySQL and MariaDB: one row per course that has a capacity
-- (Enrollments.Builder.capacity). The row is the course's lock: an activation in a capped course locks it first
-- (and writes it, so that on a Galera cluster two nodes activating at once conflict at certification and one is
-- retried), then counts the active enrollments, so that concurrent enrollments never go past the limit. Courses
-- without a capacity never get a row. version is bumped by every lock, and is bookkeeping only (the active count
-- is always read from student_courseenrollment). No constraint references any other table.
-- IF NOT EXISTS: adopt() baselines an existing Open edX schema at version 1 and then runs this.
-- utf8mb4_bin: course keys are compared exactly, as student_courseenrollment's keys are written by the library.

CREATE TABLE IF NOT EXISTS enrollment_course_seat (
    course_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version      BIGINT       NOT NULL,
    PRIMARY KEY (course_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
