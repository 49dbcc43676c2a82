package dev.enrollment;

/** The enrollment lifecycle on H2. */
class LifecycleH2Test extends LifecycleContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
