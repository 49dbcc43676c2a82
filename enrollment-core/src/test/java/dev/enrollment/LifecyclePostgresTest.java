package dev.enrollment;

/** The enrollment lifecycle on Postgres. */
class LifecyclePostgresTest extends LifecycleContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
