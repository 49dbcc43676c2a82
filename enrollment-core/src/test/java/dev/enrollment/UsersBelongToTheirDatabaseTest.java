package dev.enrollment;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A saved User belongs to the database it was loaded from or saved to; on H2 (and, for replicas, two pools). */
class UsersBelongToTheirDatabaseTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Ten+Ant+1");

    @Test
    void aUserFromAnotherDatabaseIsRefusedEverywhereAndNothingIsWritten() {
        try (TestDatabase a = TestDatabase.create(TestDatabase.Kind.H2);
             TestDatabase b = TestDatabase.create(TestDatabase.Kind.H2);
             Enrollments tenantA = a.migrated(); Enrollments tenantB = b.migrated()) {
            User bobOfB = tenantB.users().save(User.unsaved("bob", ""));
            User aliceOfA = tenantA.users().save(User.unsaved("alice", ""));   // the same id as bob's, 1
            assertThat(aliceOfA.id()).isEqualTo(bobOfB.id());

            EnrollmentRepository repoB = tenantB.enrollments();
            for (Runnable call : List.<Runnable>of(
                    () -> repoB.enroll(aliceOfA, COURSE, CourseMode.AUDIT),
                    () -> repoB.getOrCreate(aliceOfA, COURSE),
                    () -> repoB.find(aliceOfA, COURSE),
                    () -> repoB.isEnrolled(aliceOfA, COURSE),
                    () -> repoB.forUser(aliceOfA),
                    () -> repoB.unenroll(aliceOfA, COURSE),
                    () -> repoB.enrollAll(COURSE, CourseMode.AUDIT, List.of(aliceOfA)),
                    () -> repoB.changedBy(aliceOfA, "x"),
                    () -> tenantB.users().delete(aliceOfA),
                    () -> tenantB.transaction(tx -> tx.enrollments().enroll(aliceOfA, COURSE, CourseMode.AUDIT)))) {
                assertThatThrownBy(call::run).isInstanceOf(InvalidInputException.class)
                        .hasMessageContaining("belongs to another database");
            }
            assertThat(b.count("student_courseenrollment")).isZero();
            assertThat(tenantB.users().findById(bobOfB.id().getAsLong())).contains(bobOfB);
            assertThat(aliceOfA).isNotEqualTo(tenantB.users().findById(1).orElseThrow());
        }
    }

    /** The identity is read before an operation takes its connection: a pool of one never waits for a second. */
    @Test
    void aPoolOfOneConnectionBuiltBeforeMigrateWorksAtOnce() {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2);
             Enrollments fresh = Enrollments.builder().jdbcUrl(db.url(), db.user(), db.password())
                     .maximumPoolSize(1).build()) {   // built before the schema is migrated: identity unknown
            try (Enrollments ddl = db.enrollments()) {
                ddl.migrate();   // by another instance, so this one's identity is still unread
            }
            {
                long t0 = System.nanoTime();
                fresh.transaction(tx -> tx.users().save(User.unsaved("solo", "")));
                Enrollment en = fresh.enrollments().enroll(User.unsaved("solo2", ""), COURSE, CourseMode.AUDIT);
                assertThat(en.user().isSaved()).isTrue();
                assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                        .isLessThan(4_000);
            }
        }
    }

    @Test
    void instancesOnTheSameDatabaseShareTheirUsers() {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2);
             Enrollments first = db.migrated();
             Enrollments second = Enrollments.builder().jdbcUrl(db.url(), db.user(), db.password()).build()) {
            User u = first.users().save(User.unsaved("shared", ""));
            Enrollment e = second.enrollments().enroll(u, COURSE, CourseMode.HONOR);   // another pool, same data
            assertThat(first.enrollments().find(u, COURSE)).contains(e);
            assertThat(second.users().findByUsername("shared")).contains(u);
        }
    }
}
