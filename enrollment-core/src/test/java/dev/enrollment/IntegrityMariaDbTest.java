package dev.enrollment;

/** Integrity without the foreign key, on MariaDb. */
class IntegrityMariaDbTest extends IntegrityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
