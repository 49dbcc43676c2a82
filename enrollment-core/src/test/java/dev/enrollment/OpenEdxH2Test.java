package dev.enrollment;

/** Open edX compatibility, on H2. */
class OpenEdxH2Test extends OpenEdxContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
