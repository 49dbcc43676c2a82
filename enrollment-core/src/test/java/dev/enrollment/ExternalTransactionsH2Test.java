package dev.enrollment;

/** Joined external transactions on H2. */
class ExternalTransactionsH2Test extends ExternalTransactionsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
