package dev.enrollment;

/** Operators' term work on H2. */
class OperatorsH2Test extends OperatorsContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
