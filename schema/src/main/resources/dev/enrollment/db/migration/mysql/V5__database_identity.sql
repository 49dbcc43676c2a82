-- enrollment schema, version 5: this database's identity. A saved User belongs to the database it was loaded from or
-- saved to, and a repository on another database refuses it: otherwise a User loaded from one tenant's database would
-- be enrolled, by id, as whoever owns that id in another's. The identity is one random id, written once, here, by
-- migrate() or adopt(); replicas (and every pool or account on this database) read the same row, other databases
-- have their own.

CREATE TABLE enrollment_database (
    database_id  CHAR(32) NOT NULL,
    PRIMARY KEY (database_id)
) ENGINE = InnoDB;

INSERT INTO enrollment_database (database_id) VALUES (REPLACE(UUID(), '-', ''));
