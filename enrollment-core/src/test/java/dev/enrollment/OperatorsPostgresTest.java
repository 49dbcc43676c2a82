package dev.enrollment;

/** Operators' term work on Postgres. */
class OperatorsPostgresTest extends OperatorsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
