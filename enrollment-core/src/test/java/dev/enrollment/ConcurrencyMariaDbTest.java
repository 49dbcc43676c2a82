package dev.enrollment;

/** Race-safety with 32 real threads, on MariaDb. */
class ConcurrencyMariaDbTest extends ConcurrencyContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }

    @Override
    int threads() {
        return 32;
    }
}
