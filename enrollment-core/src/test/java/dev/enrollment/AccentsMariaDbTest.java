package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Accents are not case: on MariaDB's default collations 'josé' equals 'jose'. On the library's own schema the
 * columns are pinned so they compare exactly (emails ignoring case only); on an adopted Open edX schema, whose
 * collations the library does not own, it compares again in Java and never returns or links somebody else.
 */
class AccentsMariaDbTest {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Acc+Ent+1");
    private TestDatabase db;

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 4);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void onTheLibrarysOwnSchemaJoseAndJoséAreTwoPeople() {
        try (Enrollments e = db.migrated()) {
            User jose = e.users().save(User.unsaved("jose", "jose@example.com"));
            User jos = e.users().save(User.unsaved("josé", "other@example.com"));
            assertThat(e.users().findByUsername("jose")).contains(jose);
            assertThat(e.users().findByUsername("josé")).contains(jos);
            assertThat(e.users().findAllByUsername(List.of("jose"))).containsExactly(jose);

            e.allowances().allow("jose@example.com", COURSE, true);    // jose has it: linked, and enrolled at once
            e.allowances().allow("josé@example.com", COURSE, false);   // does not overwrite jose's
            assertThat(db.count("student_courseenrollmentallowed")).isEqualTo(2);
            assertThat(e.allowances().forEmail("jose@example.com")).singleElement()
                    .satisfies(a -> assertThat(a.autoEnroll()).isTrue());
            assertThat(e.allowances().forEmail("josé@example.com")).singleElement()
                    .satisfies(a -> assertThat(a.autoEnroll()).isFalse());

            User pepe = e.users().save(User.unsaved("pepe", "JOSÉ@example.com"));   // claims josé's only
            assertThat(e.allowances().forEmail("josé@example.com").get(0).user()).contains(pepe);
            assertThat(e.allowances().forEmail("jose@example.com").get(0).user()).contains(jose);
            assertThat(e.enrollments().isEnrolled(jose, COURSE)).isTrue();
            assertThat(e.enrollments().forUser(pepe)).isEmpty();
            assertThat(e.users().findAllByEmail(List.of("jose@example.com"))).containsExactly(jose);
        }
    }

    @Test
    void onAnAdoptedOpenEdxSchemaTheLibraryComparesAgainAndNeverReturnsSomebodyElse() throws Exception {
        for (String statement : OpenEdxAdoptionMariaDbTest.openEdxDdl()) {
            db.execute(statement);
        }
        try (Enrollments e = db.enrollments()) {
            e.adopt();
            User jos = e.users().save(User.unsaved("josé", "josé@example.com"));
            assertThat(e.users().findByUsername("jose")).isEmpty();
            assertThat(e.users().findAllByUsername(List.of("jose"))).isEmpty();
            assertThat(e.users().findAllByEmail(List.of("jose@example.com"))).isEmpty();
            assertThat(e.users().findByUsername("josé")).contains(jos);

            e.allowances().allow("jose@example.com", COURSE, true);   // somebody else's: not linked to josé
            assertThat(e.allowances().forEmail("jose@example.com").get(0).user()).isEmpty();
            assertThat(e.enrollments().forUser(jos)).isEmpty();
            // Open edX's unique (email, course_id) folds accents: both cannot be stored; nothing is overwritten
            assertThatThrownBy(() -> e.allowances().allow("josé@example.com", COURSE, false))
                    .isInstanceOf(DatabaseException.class).hasMessageContaining("folds accents");
            assertThat(e.allowances().forEmail("jose@example.com")).singleElement()
                    .satisfies(a -> assertThat(a.autoEnroll()).isTrue());
            assertThat(e.allowances().forEmail("josé@example.com")).isEmpty();
        }
    }
}
