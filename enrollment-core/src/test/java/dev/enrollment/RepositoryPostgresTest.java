package dev.enrollment;

/** The foundation's behaviour on Postgres. */
class RepositoryPostgresTest extends RepositoryContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
