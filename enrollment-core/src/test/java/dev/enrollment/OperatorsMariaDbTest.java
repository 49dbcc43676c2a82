package dev.enrollment;

/** Operators' term work on MariaDb. */
class OperatorsMariaDbTest extends OperatorsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
