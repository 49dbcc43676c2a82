package dev.enrollment;

/** Course capacity on MariaDb, with real threads. */
class CapacityMariaDbTest extends CapacityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
