package dev.enrollment;

/** Integrity without the foreign key, on H2. */
class IntegrityH2Test extends IntegrityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
