package dev.enrollment;

/** The foundation's behaviour on H2. */
class RepositoryH2Test extends RepositoryContract {
    @Override
    TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
