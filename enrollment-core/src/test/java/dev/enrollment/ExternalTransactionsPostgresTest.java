package dev.enrollment;

/** Joined external transactions on Postgres. */
class ExternalTransactionsPostgresTest extends ExternalTransactionsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
