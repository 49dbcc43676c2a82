package dev.enrollment;

/** Joined external transactions on MariaDb. */
class ExternalTransactionsMariaDbTest extends ExternalTransactionsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
