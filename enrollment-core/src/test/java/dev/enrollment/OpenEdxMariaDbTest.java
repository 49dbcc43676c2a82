package dev.enrollment;

/** Open edX compatibility, on MariaDb. */
class OpenEdxMariaDbTest extends OpenEdxContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
