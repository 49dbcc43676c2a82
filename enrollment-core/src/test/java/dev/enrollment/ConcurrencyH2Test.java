package dev.enrollment;

/** Race-safety with 16 real threads, on H2. */
class ConcurrencyH2Test extends ConcurrencyContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }

    @Override
    int threads() {
        return 16;
    }
}
