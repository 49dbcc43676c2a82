package dev.enrollment;

class RoutingH2Test extends RoutingContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
