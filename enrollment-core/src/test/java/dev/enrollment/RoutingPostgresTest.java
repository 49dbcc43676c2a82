package dev.enrollment;

class RoutingPostgresTest extends RoutingContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRES;
    }
}
