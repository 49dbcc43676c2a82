package dev.enrollment;

/** Course capacity on Postgres, with real threads. */
class CapacityPostgresTest extends CapacityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
