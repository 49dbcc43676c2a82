package dev.enrollment;

/** Open edX compatibility, on Postgres. */
class OpenEdxPostgresTest extends OpenEdxContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
