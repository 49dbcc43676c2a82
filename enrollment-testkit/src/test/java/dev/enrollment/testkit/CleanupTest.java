package dev.enrollment.testkit;

import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the extension leaves behind: nothing, whether a test passes or fails, and however it is registered. The
 * inner classes are run with EngineTestKit (surefire skips nested classes), then the servers are asked.
 */
class CleanupTest {
    /** Database names the inner tests saw, by test. */
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    static class FailsOnMariaDb {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.mariadb();

        @Test
        void fails() {
            db.enrollments().users().save(User.unsaved("alice", "alice@example.com"));
            SEEN.put("FailsOnMariaDb", db.databaseName());
            assertThat(Servers.mariadbHas(db.databaseName())).as("database exists during the test").isTrue();
            fail("deliberate failure");
        }
    }

    static class FailsOnH2 {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @Test
        void fails() {
            db.enrollments().users().save(User.unsaved("alice", "alice@example.com"));
            SEEN.put("FailsOnH2", db.databaseName());
            assertThat(Servers.h2Has(db.databaseName())).as("database exists during the test").isTrue();
            fail("deliberate failure");
        }
    }

    /** Registered on an instance field: a new extension for each test, with the same per-test databases. */
    static class InstanceFieldOnMariaDb {
        @RegisterExtension
        EnrollmentsExtension db = Servers.mariadb();

        @RepeatedTest(2)
        void eachGetsItsOwn(Enrollments enrollments, RepetitionInfo repetition) throws Exception {
            assertThat(enrollments).isSameAs(db.enrollments());
            assertThat(ExtensionContract.count(db.dataSource(), "auth_user")).isZero();
            enrollments.users().save(User.unsaved("alice", "alice@example.com"));
            SEEN.put("InstanceFieldOnMariaDb" + repetition.getCurrentRepetition(), db.databaseName());
        }
    }

    static class ConstructorWantsEnrollments {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        ConstructorWantsEnrollments(Enrollments enrollments) {
        }

        @Test
        void neverRuns() {
        }
    }

    @Test
    void aFailedTestsDatabaseIsDroppedOnMariaDb() {
        Servers.requireMariaDb();

        Throwable failure = Inner.onlyFailure(Inner.run(FailsOnMariaDb.class));

        assertThat(failure).hasMessage("deliberate failure");
        String name = SEEN.get("FailsOnMariaDb");
        assertThat(name).startsWith(EnrollmentsExtension.DATABASE_PREFIX);
        assertThat(Servers.mariadbHas(name)).as("SHOW DATABASES LIKE '%s'", name).isFalse();
    }

    @Test
    void aFailedTestsDatabaseIsDroppedOnH2() {
        Throwable failure = Inner.onlyFailure(Inner.run(FailsOnH2.class));

        assertThat(failure).hasMessage("deliberate failure");
        assertThat(Servers.h2Has(SEEN.get("FailsOnH2"))).isFalse();
    }

    @Test
    void anInstanceFieldExtensionGivesEachTestItsOwnDatabaseAndDropsIt() {
        Servers.requireMariaDb();

        EngineExecutionResults results = Inner.run(InstanceFieldOnMariaDb.class);

        Inner.assertPassed(results, 2);
        String first = SEEN.get("InstanceFieldOnMariaDb1");
        String second = SEEN.get("InstanceFieldOnMariaDb2");
        assertThat(first).isNotEqualTo(second);
        assertThat(Servers.mariadbHas(first)).isFalse();
        assertThat(Servers.mariadbHas(second)).isFalse();
    }

    @Test
    void aConstructorCannotTakeTheEnrollments() {
        Throwable failure = Inner.onlyFailure(Inner.run(ConstructorWantsEnrollments.class));

        assertThat(failure).isInstanceOf(ParameterResolutionException.class)
                .hasMessageContaining("not to constructors");
    }

    @Test
    void outsideATestThereIsNoDatabase() {
        EnrollmentsExtension db = EnrollmentsExtension.h2();

        assertThat(catchThrowable(db::enrollments))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no test is running");
        assertThat(catchThrowable(db::dataSource))
                .isInstanceOf(IllegalStateException.class);
    }
}
