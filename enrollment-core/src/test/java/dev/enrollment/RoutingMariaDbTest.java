package dev.enrollment;

class RoutingMariaDbTest extends RoutingContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.MARIADB;
    }
}
