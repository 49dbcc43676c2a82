-- enrollment schema, version 6, MySQL and MariaDB: usernames and emails compare exactly (emails ignore case only),
-- as on H2 and PostgreSQL. The default collations (utf8mb4_general_ci and the like) fold accents as well as case, so
-- 'josé' equalled 'jose': an allowance for one overwrote the other's, and a lookup returned somebody else.
-- auth_user.username becomes binary (exact); allowance emails, which the library stores lower-cased, become binary
-- too, so their unique key tells josé@ from jose@. auth_user.email keeps its collation (emails are matched
-- case-insensitively, and checked again exactly in Java).
-- Only on the library's own schema: on an adopted Open edX database (baselined at version 1 by adopt()) the tables
-- and their collations are Open edX's, and the library compares again in Java instead.

SET @enrollment_own_schema = (SELECT COUNT(*) = 0 FROM enrollment_schema_history
                              WHERE type = 'BASELINE' AND version = '1');

SET @enrollment_ddl = IF(@enrollment_own_schema,
    'ALTER TABLE auth_user MODIFY username VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    'DO 0');
PREPARE enrollment_stmt FROM @enrollment_ddl;
EXECUTE enrollment_stmt;
DEALLOCATE PREPARE enrollment_stmt;

SET @enrollment_ddl = IF(@enrollment_own_schema,
    'ALTER TABLE student_courseenrollmentallowed MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    'DO 0');
PREPARE enrollment_stmt FROM @enrollment_ddl;
EXECUTE enrollment_stmt;
DEALLOCATE PREPARE enrollment_stmt;
