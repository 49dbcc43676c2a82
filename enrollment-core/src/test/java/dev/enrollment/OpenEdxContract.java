package dev.enrollment;

import dev.enrollment.internal.Dialect;
import dev.enrollment.internal.Migrator;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * What an Open edX database needs of the library, on every dialect: Open edX's history table, enroll of unsaved
 * users, a taken email, all-or-nothing deletes and sweeps beside foreign keys of other tables, migrate() on a schema
 * that is not the library's, rows the library cannot type. One fresh database per test. (Adoption from Open edX's
 * real DDL is {@link OpenEdxAdoptionMariaDbTest}.)
 */
abstract class OpenEdxContract {
    TestDatabase db;
    final RecordingListener events = new RecordingListener();

    abstract TestDatabase.Kind kind();

    @BeforeEach
    void open() {
        db = TestDatabase.create(kind(), 4);
    }

    @AfterEach
    void close() {
        db.close();
    }

    Enrollments build() {
        return Enrollments.builder().dataSource(db.dataSource()).batchSize(3).listener(events).build();
    }

    Flyway flywayTo(String version) {
        Dialect dialect = switch (kind()) {
            case H2 -> Dialect.H2;
            case MARIADB -> Dialect.MARIADB;
            case POSTGRES -> Dialect.POSTGRES;
        };
        return Flyway.configure().configuration(Migrator.flyway(db.dataSource(), dialect).getConfiguration())
                .target(version).load();
    }

    // ---- 1. the history table ---------------------------------------------------------------------------------

    @Test
    void v3MovesEveryHistoryRowToOpenEdxsTableWithTimeOrderedUuidKeys() throws Exception {
        flywayTo("2").migrate();
        db.execute("INSERT INTO student_historicalcourseenrollment (id, created, is_active, mode, history_date, "
                + "history_change_reason, history_type, course_id, history_user_id, user_id) VALUES "
                + "(7, TIMESTAMP '2020-01-01 10:00:00', TRUE, 'audit', TIMESTAMP '2020-01-01 10:00:00', NULL, '+', "
                + "'course-v1:A+B+C', NULL, 3), "
                + "(7, TIMESTAMP '2020-01-01 10:00:00', FALSE, 'audit', TIMESTAMP '2021-06-01 12:30:00.5', 'refund', "
                + "'~', 'course-v1:A+B+C', 9, 3)");

        try (Enrollments e = build()) {
            e.migrate();
        }

        assertThat(tableExists("student_historicalcourseenrollment")).isFalse();
        List<String[]> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT history_id, history_type, history_change_reason, "
                     + "history_user_id, user_id, is_active FROM student_courseenrollment_history ORDER BY history_id")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1).replace("-", ""), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6)});
            }
        }
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)[0]).matches("[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}");
        assertThat(rows.get(0)[1]).isEqualTo("+");   // ordered by the new keys as by the old ones
        assertThat(rows.get(1)[1]).isEqualTo("~");
        assertThat(rows.get(1)[2]).isEqualTo("refund");
        assertThat(rows.get(1)[3]).isEqualTo("9");
        // the time-ordered part is the row's history_date
        assertThat(Long.parseLong(rows.get(0)[0].substring(0, 12), 16)).isEqualTo(1577872800000L);
        assertThat(Long.parseLong(rows.get(1)[0].substring(0, 12), 16)).isEqualTo(1622550600500L);
    }

    @Test
    void everyChangeWritesOpenEdxsHistoryTable() throws Exception {
        try (Enrollments e = build()) {
            e.migrate();
            User u = e.users().save(User.unsaved("hist", "hist@example.com"));
            CourseKey course = CourseKey.parse("course-v1:Hist+H+1");
            e.enrollments().enroll(u, course, CourseMode.VERIFIED);
            e.enrollments().unenroll(u, course);
            e.enrollments().enrollAll(CourseKey.parse("course-v1:Hist+H+2"), CourseMode.AUDIT, List.of(u));
        }
        List<String> types = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT history_id, history_type FROM student_courseenrollment_history "
                     + "ORDER BY history_id")) {
            while (rs.next()) {
                assertThat(rs.getString(1).replace("-", "")).matches("[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}");
                types.add(rs.getString(2));
            }
        }
        assertThat(types).containsExactly("+", "~", "+");
        assertThat(tableExists("student_historicalcourseenrollment")).isFalse();
    }

    // ---- 2. enroll of an unsaved user -------------------------------------------------------------------------

    @Test
    void enrollSavesAnUnsavedUserFirstInTheSameTransaction() {
        try (Enrollments e = build()) {
            e.migrate();
            CourseKey course = CourseKey.parse("course-v1:Un+Saved+1");
            Enrollment en = e.enrollments().changedBy(null, "signup").enroll(User.unsaved("newbie", "n@example.com"),
                    course, CourseMode.VERIFIED);
            assertThat(en.user().isSaved()).isTrue();
            assertThat(en.isActive()).isTrue();
            assertThat(en.mode()).isEqualTo(CourseMode.VERIFIED);
            assertThat(e.users().findByUsername("newbie")).contains(en.user());
            assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '+' "
                    + "AND history_change_reason = 'signup'")).isEqualTo(1);

            // the username is taken: nothing written, not attached to the existing account
            long users = db.count("auth_user");
            assertThatThrownBy(() -> e.enrollments().enroll(User.unsaved("newbie", "other@example.com"),
                    CourseKey.parse("course-v1:Un+Saved+2"), CourseMode.AUDIT))
                    .isInstanceOf(UserAlreadyExistsException.class).hasMessageContaining("username is taken");
            assertThat(db.count("auth_user")).isEqualTo(users);
            assertThat(db.count("student_courseenrollment")).isEqualTo(1);
            assertThat(events.take()).isEmpty();
        }
    }

    @Test
    void enrollOfAnUnsavedUserInsideATransactionCommitsOrRollsBackWithIt() {
        try (Enrollments e = build()) {
            e.migrate();
            CourseKey course = CourseKey.parse("course-v1:Un+Saved+3");
            assertThatThrownBy(() -> e.transaction(tx -> {
                tx.enrollments().enroll(User.unsaved("rolled", "r@example.com"), course, CourseMode.HONOR);
                throw new IllegalStateException("payment declined");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(db.count("auth_user")).isZero();
            assertThat(db.count("student_courseenrollment")).isZero();
            assertThat(events.take()).isEmpty();

            Enrollment kept = e.transactionResult(tx -> {
                Enrollment first = tx.enrollments().enroll(User.unsaved("kept", "k@example.com"), course,
                        CourseMode.HONOR);
                // a taken username inside the transaction: refused, and the transaction goes on
                assertThatThrownBy(() -> tx.enrollments().enroll(User.unsaved("kept", "x@example.com"), course,
                        CourseMode.AUDIT)).isInstanceOf(UserAlreadyExistsException.class);
                return first;
            });
            assertThat(e.enrollments().find(kept.user(), course)).contains(kept);
            assertThat(db.count("auth_user")).isEqualTo(1);
        }
    }

    // ---- 3. a taken email where emails are unique, and no silent no-op --------------------------------------

    @Test
    void aTakenEmailIsNamedAsTheReasonAndNothingIsWritten() {
        try (Enrollments e = build()) {
            e.migrate();
            db.execute("CREATE UNIQUE INDEX auth_user_email_uniq ON auth_user (email)");   // as Open edX has it
            e.users().save(User.unsaved("first", "taken@example.com"));
            CourseKey course = CourseKey.parse("course-v1:Em+Ail+1");
            long users = db.count("auth_user");
            for (Runnable call : List.<Runnable>of(
                    () -> e.users().save(User.unsaved("second", "taken@example.com")),
                    () -> e.enrollments().getOrCreate(User.unsaved("second", "taken@example.com"), course),
                    () -> e.enrollments().enroll(User.unsaved("second", "taken@example.com"), course,
                            CourseMode.AUDIT))) {
                Throwable thrown = catchThrowable(call::run);
                assertThat(thrown).isInstanceOf(UserAlreadyExistsException.class)
                        .hasMessageContaining("email is taken").hasMessageNotContaining("username is taken");
                UserAlreadyExistsException taken = (UserAlreadyExistsException) thrown;
                assertThat(taken.reason()).isEqualTo(UserAlreadyExistsException.Reason.EMAIL);
                assertThat(taken.email()).contains("taken@example.com");
            }
            assertThat(db.count("auth_user")).isEqualTo(users);
            assertThat(db.count("student_courseenrollment")).isZero();
            // a taken username is still named as such, where both are taken
            assertThat(catchThrowable(() -> e.users().save(User.unsaved("first", "taken@example.com"))))
                    .isInstanceOf(UserAlreadyExistsException.class).hasMessageContaining("username is taken");
        }
    }

    @Test
    void anotherUniqueIndexIsADatabaseExceptionNotAMisleadingMessage() {
        try (Enrollments e = build()) {
            e.migrate();
            User a = e.users().save(User.unsaved("uniq-a", ""));
            // a unique index the library does not know: users it saves all get first_name ''
            db.execute("CREATE UNIQUE INDEX auth_user_first_name_uniq ON auth_user (first_name)");
            db.execute("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, "
                    + "is_staff, is_active, date_joined) VALUES ('!', FALSE, 'uniq-b', 'Bee', '', '', FALSE, TRUE, "
                    + "TIMESTAMP '2020-01-01 00:00:00')");
            User b = e.users().findByUsername("uniq-b").orElseThrow();
            db.execute("CREATE UNIQUE INDEX enrollment_course_uniq ON student_courseenrollment (course_id)");
            assertThatThrownBy(() -> e.users().save(User.unsaved("uniq-c", "c@example.com")))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("unique index other than username and email");

            CourseKey course = CourseKey.parse("course-v1:Un+Ique+1");
            e.enrollments().enroll(a, course, CourseMode.AUDIT);
            for (Runnable call : List.<Runnable>of(() -> e.enrollments().getOrCreate(b, course),
                    () -> e.enrollments().enroll(b, course, CourseMode.AUDIT))) {
                assertThat(catchThrowable(call::run)).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("unique");
            }
            assertThat(db.count("student_courseenrollment")).isEqualTo(1);
        }
    }

    @Test
    void aValueTheColumnCannotHoldFailsInsteadOfBeingTruncated() {
        try (Enrollments e = build()) {
            e.migrate();
            User u = e.users().save(User.unsaved("narrow", ""));
            db.execute(switch (kind()) {
                case MARIADB -> "ALTER TABLE student_courseenrollment MODIFY mode VARCHAR(5) NOT NULL";
                case POSTGRES -> "ALTER TABLE student_courseenrollment ALTER COLUMN mode TYPE VARCHAR(5)";
                case H2 -> "ALTER TABLE student_courseenrollment ALTER COLUMN mode SET DATA TYPE VARCHAR(5)";
            });
            assertThatThrownBy(() -> e.enrollments().enroll(u, CourseKey.parse("course-v1:Na+Rrow+1"),
                    CourseMode.VERIFIED)).isInstanceOf(DatabaseException.class);
            assertThat(db.count("student_courseenrollment")).isZero();
            assertThat(db.count("student_courseenrollment_history")).isZero();
        }
    }

    // ---- 4. all-or-nothing delete beside other tables' foreign keys ------------------------------------------

    @Test
    void deleteOfAUserAnotherTableReferencesChangesNothingAndNamesTheTable() {
        try (Enrollments e = build()) {
            e.migrate();
            // Open edX's auth_userprofile holds a foreign key to auth_user (tests only; the library creates none)
            db.execute("CREATE TABLE auth_userprofile (id INT PRIMARY KEY, user_id BIGINT NOT NULL, "
                    + "CONSTRAINT auth_userprofile_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id))");
            User u = e.users().save(User.unsaved("profiled", "p@example.com"));
            for (int i = 0; i < 7; i++) {   // more than one batch of 3
                e.enrollments().enroll(u, CourseKey.parse("course-v1:Del+Ete+" + i), CourseMode.AUDIT);
            }
            e.allowances().allow("p@example.com", CourseKey.parse("course-v1:Del+Ete+9"), false);
            db.execute("INSERT INTO auth_userprofile (id, user_id) VALUES (1, " + u.id().getAsLong() + ")");
            long history = db.count("student_courseenrollment_history");
            events.take();

            assertThatThrownBy(() -> e.users().delete(u)).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("auth_userprofile").hasMessageContaining("nothing was deleted");
            assertThat(e.users().findById(u.id().getAsLong())).isPresent();
            assertThat(e.enrollments().forUser(u)).hasSize(7);
            assertThat(db.count("student_courseenrollmentallowed")).isEqualTo(1);
            assertThat(db.count("student_courseenrollment_history")).isEqualTo(history);
            assertThat(events.take()).isEmpty();

            // inside a caller's transaction the same; the transaction cannot commit a half-done delete
            assertThatThrownBy(() -> e.transaction(tx -> {
                try {
                    tx.users().delete(u);
                } catch (DatabaseException expected) {
                    // the caller carries on, and must not commit what the delete did before the refusal
                }
            })).isInstanceOf(DatabaseException.class);
            assertThat(e.enrollments().forUser(u)).hasSize(7);

            db.execute("DELETE FROM auth_userprofile");
            e.users().delete(u);
            assertThat(e.users().findById(u.id().getAsLong())).isEmpty();
            assertThat(db.count("student_courseenrollment")).isZero();
        }
    }

    // ---- 5. a sweep that never sticks -------------------------------------------------------------------------

    @Test
    void sweepDeletesWhatItCanAndReportsOrphansAnotherTableStillReferences() {
        try (Enrollments e = build()) {
            e.migrate();
            db.execute("CREATE TABLE student_courseenrollmentattribute (id INT PRIMARY KEY, enrollment_id BIGINT "
                    + "NOT NULL, CONSTRAINT attribute_enrollment_fk FOREIGN KEY (enrollment_id) "
                    + "REFERENCES student_courseenrollment (id))");
            List<Enrollment> rows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                User u = e.users().save(User.unsaved("gone" + i, ""));
                rows.add(e.enrollments().enroll(u, CourseKey.parse("course-v1:Sw+Eep+1"), CourseMode.AUDIT));
            }
            db.execute("DELETE FROM auth_user");   // another service deleted the users
            long held = rows.get(1).id();
            db.execute("INSERT INTO student_courseenrollmentattribute (id, enrollment_id) VALUES (1, " + held + ")");

            SweepResult first = e.orphans().sweep(SweepOptions.delete().batchSize(3));
            assertThat(first.found()).isEqualTo(5);
            assertThat(first.deleted()).isEqualTo(4);
            assertThat(first.finished()).isTrue();
            assertThat(first.undeletable()).singleElement().satisfies(o -> {
                assertThat(o.id()).isEqualTo(held);
                assertThat(o.referencedBy()).isEqualTo("student_courseenrollmentattribute");
            });
            assertThat(db.count("student_courseenrollment")).isEqualTo(1);

            SweepResult again = e.orphans().sweep(SweepOptions.delete().batchSize(3));   // does not stick either
            assertThat(again.deleted()).isZero();
            assertThat(again.undeletable()).extracting(UndeletableOrphan::id).containsExactly(held);
        }
    }

    // ---- 6. migrate() on a schema that is not the library's -------------------------------------------------

    @Test
    void migrateOnAForeignSchemaChangesNothingAndSaysToAdoptWhichWorksAfterAMistakenMigrate() throws Exception {
        foreignSchema();
        try (Enrollments e = build()) {
            assertThatThrownBy(e::migrate).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("adopt()").hasMessageContaining("changed nothing");
            assertThat(tableExists(Migrator.HISTORY_TABLE)).isFalse();

            // what an earlier version's migrate() did here: Flyway straight away, failing in V1
            assertThatThrownBy(() -> flywayTo("latest").migrate()).isInstanceOf(Exception.class);
            if (kind() == TestDatabase.Kind.MARIADB) {   // no DDL transactions: Flyway's table and a failed V1 stay
                assertThat(tableExists(Migrator.HISTORY_TABLE)).isTrue();
            }

            e.adopt();
            User u = e.users().findByUsername("existing").orElseThrow();
            e.enrollments().enroll(u, CourseKey.parse("course-v1:Ad+Opt+1"), CourseMode.AUDIT);
            assertThat(e.enrollments().forUser(u)).hasSize(2);
            e.migrate();   // and migrate() works from then on
        }
    }

    /** A schema with the library's tables and rows but not its Flyway history: what an Open edX database is. */
    void foreignSchema() {
        flywayTo("latest").migrate();
        try (Enrollments e = build()) {
            User u = e.users().save(User.unsaved("existing", ""));
            e.enrollments().getOrCreate(u, CourseKey.parse("course-v1:Ad+Opt+0"));
        }
        // what Open edX does not have: the library's own tables
        db.execute(kind() == TestDatabase.Kind.H2 ? "DROP TABLE \"enrollment_schema_history\""
                : "DROP TABLE enrollment_schema_history");
        db.execute("DROP TABLE enrollment_course_seat");
        db.execute("DROP TABLE enrollment_database");
    }

    // ---- 7. rows the library cannot type ----------------------------------------------------------------------

    @Test
    void aRowInAModeTheLibraryDoesNotKnowBreaksNoReadAndEnrollOverwritesIt() {
        try (Enrollments e = build()) {
            e.migrate();
            CourseKey course = CourseKey.parse("course-v1:Mo+De+1");
            User known = e.users().save(User.unsaved("known", ""));
            User odd = e.users().save(User.unsaved("odd", ""));
            e.enrollments().enroll(known, course, CourseMode.VERIFIED);
            db.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) VALUES "
                    + "('course-v1:Mo+De+1', NULL, TRUE, 'site-special', " + odd.id().getAsLong() + ")");
            events.take();

            assertThat(e.enrollments().countsByMode(course)).containsExactly(entry(CourseMode.VERIFIED, 1L));
            try (var all = e.enrollments().forCourse(course)) {
                assertThat(all.map(x -> x.user().username())).containsExactly("known");
            }
            assertThat(e.enrollments().find(odd, course)).isEmpty();
            assertThat(e.enrollments().forUser(odd)).isEmpty();
            assertThatThrownBy(() -> e.enrollments().getOrCreate(odd, course))
                    .isInstanceOf(DatabaseException.class).hasMessageContaining("mode the library does not know");

            Enrollment fixed = e.enrollments().enroll(odd, course, CourseMode.HONOR);
            assertThat(fixed.mode()).isEqualTo(CourseMode.HONOR);
            assertThat(e.enrollments().countsByMode(course)).containsEntry(CourseMode.HONOR, 1L);
            assertThat(events.take()).singleElement().satisfies(ev -> {
                assertThat(ev.type()).isEqualTo(EnrollmentEvent.Type.MODE_CHANGED);
                assertThat(ev.before()).isEmpty();
                assertThat(ev.after()).contains(fixed);
            });
            assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '~' "
                    + "AND mode = 'honor'")).isEqualTo(1);
        }
    }

    boolean tableExists(String table) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), db.identifier(table), null)) {
            return rs.next();
        }
    }
}
