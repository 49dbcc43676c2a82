package dev.enrollment;

/** The foundation's behaviour on MariaDb. */
class RepositoryMariaDbTest extends RepositoryContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
