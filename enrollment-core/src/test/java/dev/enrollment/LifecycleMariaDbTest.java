package dev.enrollment;

/** The enrollment lifecycle on MariaDb. */
class LifecycleMariaDbTest extends LifecycleContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
