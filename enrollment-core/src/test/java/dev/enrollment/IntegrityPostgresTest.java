package dev.enrollment;

/** Integrity without the foreign key, on Postgres. */
class IntegrityPostgresTest extends IntegrityContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
