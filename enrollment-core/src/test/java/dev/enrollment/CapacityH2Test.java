package dev.enrollment;

/** Course capacity on H2, with real threads. */
class CapacityH2Test extends CapacityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
