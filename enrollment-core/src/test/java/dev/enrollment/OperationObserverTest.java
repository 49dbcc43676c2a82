package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every repository call, and every transaction, reaches the {@link OperationObserver}, on H2. */
class OperationObserverTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:edX+Observed+2026");

    private final List<String> log = new ArrayList<>();
    private TestDatabase db;
    private ExternalTransactionsContract.FailingDataSource dataSource;
    private Enrollments enrollments;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create(TestDatabase.Kind.H2);
        db.migrated().close();
        dataSource = new ExternalTransactionsContract.FailingDataSource(db.dataSource());
        OperationObserver observer = operation -> {
            log.add("start " + operation);
            return new OperationObserver.Operation() {
                @Override
                public void retried() {
                    log.add("retried " + operation);
                }

                @Override
                public void end(Throwable failure) {
                    log.add("end " + operation + " " + (failure == null ? "success"
                            : failure.getClass().getSimpleName()));
                }
            };
        };
        enrollments = Enrollments.builder().dataSource(dataSource).observer(observer).build();
    }

    @AfterEach
    void tearDown() {
        enrollments.close();
        db.close();
    }

    @Test
    void eachRepositoryCallIsOneOperationNamedAfterItsMethod() {
        User ann = enrollments.users().save(User.unsaved("ann", "ann@example.com"));
        enrollments.enrollments().enroll(ann, COURSE, CourseMode.AUDIT);   // a read, then a write: one operation
        enrollments.enrollments().changedBy(ann, "support").unenroll(ann, COURSE);
        assertThat(log).containsExactly("start save", "end save success", "start enroll", "end enroll success",
                "start unenroll", "end unenroll success");
    }

    @Test
    void aFailureIsTheOutcome() {
        User bob = enrollments.users().save(User.unsaved("bob", "bob@example.com"));
        log.clear();
        assertThatThrownBy(() -> enrollments.enrollments().unenroll(bob, COURSE))
                .isInstanceOf(NotFoundException.class);
        assertThat(log).containsExactly("start unenroll", "end unenroll NotFoundException");
    }

    @Test
    void aRetryAfterADeadlockIsReported() {
        User cat = enrollments.users().save(User.unsaved("cat", "cat@example.com"));
        log.clear();
        dataSource.failNext.set(true);
        enrollments.enrollments().getOrCreate(cat, COURSE);
        assertThat(log).containsExactly("start getOrCreate", "retried getOrCreate", "end getOrCreate success");
    }

    @Test
    void callsInsideATransactionAreObservedWithinIt() {
        enrollments.transaction(tx -> tx.enrollments().getOrCreate(tx.users().save(User.unsaved("dan", "d@x.org")),
                COURSE));
        assertThat(log).containsExactly("start transaction", "start save", "end save success", "start getOrCreate",
                "end getOrCreate success", "end transaction success");
    }

    @Test
    void withoutAnObserverTheRepositoriesAreTheImplementationsThemselves() {
        try (Enrollments plain = Enrollments.builder().dataSource(db.dataSource()).build()) {
            assertThat(java.lang.reflect.Proxy.isProxyClass(plain.enrollments().getClass())).isFalse();
        }
    }
}
