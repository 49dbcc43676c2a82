package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What operators do every term: revoke allowances, retire a learner (unenrollAll), move a course's learners from one
 * mode to another (changeModeAll), allowances for people who already have an account, and email changes. Run
 * against every database by the subclasses. A small batch size, so that batching is exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OperatorsContract {
    static final int BATCH = 3;
    /** The history table (one place to change when it is renamed). */
    static final String HISTORY = "student_courseenrollment_history";
    private static final AtomicInteger SEQ = new AtomicInteger();

    TestDatabase db;
    RecordingDataSource recorder;
    Enrollments enrollments;
    EnrollmentRepository repo;
    Allowances allowances;
    final RecordingListener events = new RecordingListener();

    abstract TestDatabase.Kind kind();

    @BeforeAll
    void open() {
        db = TestDatabase.create(kind());
        recorder = new RecordingDataSource(db.dataSource());
        enrollments = Enrollments.builder().dataSource(recorder).batchSize(BATCH).listener(events).build();
        enrollments.migrate();
        repo = enrollments.enrollments();
        allowances = enrollments.allowances();
    }

    @AfterAll
    void close() {
        if (enrollments != null) {
            enrollments.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void clear() {
        events.take();
        recorder.clear();
    }

    static String unique(String prefix) {
        return prefix + SEQ.incrementAndGet() + "x" + System.nanoTime() % 1_000_000;
    }

    User user(String prefix) {
        return enrollments.users().save(User.unsaved(unique(prefix), ""));
    }

    User user(String prefix, String email) {
        return enrollments.users().save(User.unsaved(unique(prefix), email));
    }

    static CourseKey course() {
        return CourseKey.parse("course-v1:Ops+Term+" + unique("r"));
    }

    /** The history rows of one enrollment, oldest first: "type:active:mode". */
    List<String> history(long enrollmentId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT history_type, is_active, mode FROM " + HISTORY
                     + " WHERE id = ? ORDER BY history_date, history_id")) {
            ps.setLong(1, enrollmentId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getBoolean(2) + ":" + rs.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    long historyRows() {
        return db.count(HISTORY);
    }

    long enrollmentId(User u, CourseKey c) {
        return repo.find(u, c).orElseThrow().id();
    }

    // ---- revoke / revokeAll ------------------------------------------------------------------------------------

    @Test
    void revokeDeletesOneAllowanceComparedCaseInsensitivelyAndARevokedOneNeverEnrolls() {
        String local = unique("rev");
        String email = local + "@Example.com";
        CourseKey revoked = course();
        CourseKey kept = course();
        allowances.allow(email, revoked, true);
        allowances.allow(email, kept, true);

        assertThat(allowances.revoke(email.toUpperCase(), revoked)).isTrue();
        assertThat(allowances.revoke(email, revoked)).as("nothing left to revoke").isFalse();
        assertThat(allowances.forEmail(email)).extracting(Allowance::courseKey).containsExactly(kept);

        User later = user("revu", email.toLowerCase());
        assertThat(repo.find(later, revoked)).as("a revoked allowance enrolls nobody").isEmpty();
        assertThat(repo.isEnrolled(later, kept)).isTrue();
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);

        // Used or not: the used one goes too, and the enrollment it made stays.
        assertThat(allowances.revoke(email, kept)).isTrue();
        assertThat(allowances.forEmail(email)).isEmpty();
        assertThat(repo.isEnrolled(later, kept)).isTrue();
        assertThat(events.take()).as("revoking fires no event").isEmpty();
    }

    @Test
    void revokeAllDeletesEveryAllowanceOfTheEmailAndNoOther() {
        String email = unique("all") + "@example.com";
        String other = unique("oth") + "@example.com";
        CourseKey a = course();
        CourseKey b = course();
        allowances.allow(email, a, true);
        allowances.allow(email, b, false);
        allowances.allow(other, a, true);
        user("allu", email);   // uses the first one

        assertThat(allowances.revokeAll(email.toUpperCase())).isEqualTo(2);
        assertThat(allowances.forEmail(email)).isEmpty();
        assertThat(allowances.forEmail(other)).hasSize(1);
        assertThat(allowances.revokeAll(email)).isZero();

        User fresh = user("allv", email);
        assertThat(repo.forUser(fresh)).as("revoked allowances enroll nobody afterwards").isEmpty();
    }

    @Test
    void revokeRejectsBadInputAndWritesNothing() {
        String email = unique("bad") + "@example.com";
        CourseKey c = course();
        allowances.allow(email, c, true);
        long rows = db.count("student_courseenrollmentallowed");

        assertThatThrownBy(() -> allowances.revoke("", c)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("email ");
        assertThatThrownBy(() -> allowances.revoke("no-at", c)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("email ");
        assertThatThrownBy(() -> allowances.revoke(null, c)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> allowances.revoke(email, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("course ");
        assertThatThrownBy(() -> allowances.revokeAll("")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> allowances.revokeAll("a@b@c")).isInstanceOf(InvalidInputException.class);
        assertThat(db.count("student_courseenrollmentallowed")).isEqualTo(rows);
    }

    @Test
    void emailsThatDifferByAnAccentAreDifferentPeople() {
        String local = unique("jos");
        String accented = local + "\u00e9@example.com";   // josé
        String plain = local + "e@example.com";            // jose
        CourseKey hers = course();
        CourseKey his = course();
        allowances.allow(accented, hers, true);
        allowances.allow(plain, his, false);

        assertThat(allowances.revoke(plain, hers)).as("josé's allowance is not jose's to revoke").isFalse();
        assertThat(allowances.revokeAll(plain)).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollmentallowed WHERE course_id = '" + hers
                + "'")).isEqualTo(1);

        User jose = user("jose", plain);
        assertThat(repo.forUser(jose)).as("saving jose does not use josé's allowance").isEmpty();
        allowances.allow(accented, course(), true);
        assertThat(repo.forUser(jose)).as("allow for josé does not enroll jose").isEmpty();
        User joseAccented = user("josee", accented);
        assertThat(repo.isEnrolled(joseAccented, hers)).isTrue();
    }

    // ---- unenrollAll -------------------------------------------------------------------------------------------

    @Test
    void unenrollAllDeactivatesEveryActiveEnrollmentWithHistoryAndEventsAndASecondCallChangesNothing() {
        User u = user("ret");
        User other = user("stay");
        List<CourseKey> courses = List.of(course(), course(), course(), course());
        repo.enroll(u, courses.get(0), CourseMode.VERIFIED);
        repo.enroll(u, courses.get(1), CourseMode.AUDIT);
        repo.enroll(u, courses.get(2), CourseMode.HONOR);
        repo.getOrCreate(u, courses.get(3));                          // inactive: left as it is
        repo.enroll(other, courses.get(0), CourseMode.AUDIT);
        // A row Open edX wrote in a mode the library does not know: deactivated too, with history, no event.
        db.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) VALUES ('"
                + course() + "', NULL, TRUE, 'legacy-mode', " + u.id().getAsLong() + ")");
        long inactiveId = enrollmentId(u, courses.get(3));
        List<String> inactiveHistory = history(inactiveId);
        events.take();

        List<Enrollment> changed = repo.unenrollAll(u);

        assertThat(changed).hasSize(3).allSatisfy(e -> {
            assertThat(e.isActive()).isFalse();
            assertThat(e.user()).isEqualTo(u);
        });
        assertThat(changed).extracting(Enrollment::courseKey)
                .containsExactlyInAnyOrder(courses.get(0), courses.get(1), courses.get(2));
        assertThat(changed).extracting(Enrollment::mode)
                .containsExactlyInAnyOrder(CourseMode.VERIFIED, CourseMode.AUDIT, CourseMode.HONOR);
        assertThat(repo.forUser(u)).allSatisfy(e -> assertThat(e.isActive()).isFalse());
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE is_active = TRUE AND user_id = "
                + u.id().getAsLong())).as("the legacy row too").isZero();
        assertThat(repo.isEnrolled(other, courses.get(0))).as("nobody else's").isTrue();
        for (Enrollment e : changed) {
            assertThat(history(e.id())).last().isEqualTo("~:false:" + e.mode().slug());
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + HISTORY + " WHERE mode = 'legacy-mode' AND history_type "
                + "= '~' AND is_active = FALSE")).isEqualTo(1);
        assertThat(history(inactiveId)).isEqualTo(inactiveHistory);
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard).hasSize(3).allSatisfy(ev -> {
            assertThat(ev.type()).isEqualTo(EnrollmentEvent.Type.DEACTIVATED);
            assertThat(ev.before().orElseThrow().isActive()).isTrue();
            assertThat(ev.after().orElseThrow().isActive()).isFalse();
            assertThat(ev.after().orElseThrow().mode()).isEqualTo(ev.before().orElseThrow().mode());
        });
        assertThat(heard.stream().map(ev -> ev.after().orElseThrow()).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(changed);

        long rows = historyRows();
        assertThat(repo.unenrollAll(u)).isEmpty();
        assertThat(historyRows()).isEqualTo(rows);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void unenrollAllRejectsAnUnsavedOrNullUser() {
        assertThatThrownBy(() -> repo.unenrollAll(User.unsaved("nobody", ""))).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("user ");
        assertThatThrownBy(() -> repo.unenrollAll(null)).isInstanceOf(InvalidInputException.class);
        assertThat(repo.unenrollAll(user("none"))).isEmpty();
    }

    @Test
    void unenrollAllInsideATransactionRollsBackWithIt() {
        User u = user("rbk");
        CourseKey c = course();
        repo.enroll(u, c, CourseMode.AUDIT);
        events.take();

        assertThatThrownBy(() -> enrollments.transaction(tx -> {
            assertThat(tx.enrollments().unenrollAll(u)).hasSize(1);
            throw new IllegalStateException("abort");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(repo.isEnrolled(u, c)).isTrue();
        assertThat(events.take()).isEmpty();
    }

    // ---- changeModeAll -----------------------------------------------------------------------------------------

    @Test
    void changeModeAllMovesEveryRowOfTheModeActiveOrNotInKeysetBatchesWithHistoryAndEvents() {
        CourseKey c = course();
        CourseKey elsewhere = course();
        List<User> honor = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            User u = user("cm");
            honor.add(u);
            repo.enroll(u, c, CourseMode.HONOR);
            if (i % 3 == 0) {
                repo.unenroll(u, c);   // inactive ones move too, and stay inactive
            }
        }
        User verified = user("cmv");
        repo.enroll(verified, c, CourseMode.VERIFIED);
        User outside = user("cmo");
        repo.enroll(outside, elsewhere, CourseMode.HONOR);
        // An orphan: its user is gone. It is moved too, with history, and no event (there is no User to tell of).
        User gone = user("cmg");
        repo.enroll(gone, c, CourseMode.HONOR);
        long orphanId = enrollmentId(gone, c);
        db.execute("DELETE FROM auth_user WHERE id = " + gone.id().getAsLong());
        events.take();
        recorder.clear();
        List<Long> progress = new ArrayList<>();

        long moved = repo.changeModeAll(c, CourseMode.HONOR, CourseMode.PROFESSIONAL, progress::add);
        List<RecordingDataSource.Executed> executed = recorder.executed();

        assertThat(moved).isEqualTo(9);
        assertThat(progress).containsExactly(3L, 6L, 9L);
        for (int i = 0; i < honor.size(); i++) {
            Enrollment e = repo.find(honor.get(i), c).orElseThrow();
            assertThat(e.mode()).isEqualTo(CourseMode.PROFESSIONAL);
            assertThat(e.isActive()).isEqualTo(i % 3 != 0);
            assertThat(history(e.id())).last().isEqualTo("~:" + e.isActive() + ":professional");
        }
        assertThat(history(orphanId)).last().isEqualTo("~:true:professional");
        assertThat(repo.find(verified, c).orElseThrow().mode()).isEqualTo(CourseMode.VERIFIED);
        assertThat(repo.find(outside, elsewhere).orElseThrow().mode()).isEqualTo(CourseMode.HONOR);
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard).hasSize(8).allSatisfy(ev -> {
            assertThat(ev.type()).isEqualTo(EnrollmentEvent.Type.MODE_CHANGED);
            assertThat(ev.before().orElseThrow().mode()).isEqualTo(CourseMode.HONOR);
            assertThat(ev.after().orElseThrow().mode()).isEqualTo(CourseMode.PROFESSIONAL);
            assertThat(ev.after().orElseThrow().isActive()).isEqualTo(ev.before().orElseThrow().isActive());
        });
        List<String> reads = executed.stream().map(RecordingDataSource.Executed::sql)
                .map(String::toLowerCase)
                .filter(sql -> sql.startsWith("select") && sql.contains("from student_courseenrollment"))
                .collect(Collectors.toList());
        // Three full batches, then one that finds nothing left.
        assertThat(reads).hasSize(4).allSatisfy(sql -> assertThat(sql).contains("id >")
                .containsAnyOf("limit", "fetch next").doesNotContain("offset"));
        assertThat(executed).filteredOn(x -> x.sql().toLowerCase().startsWith("update student_course"))
                .allSatisfy(x -> assertThat(x.updateCount()).isLessThanOrEqualTo(BATCH));

        long rows = historyRows();
        assertThat(repo.changeModeAll(c, CourseMode.HONOR, CourseMode.PROFESSIONAL)).as("nothing left").isZero();
        assertThat(historyRows()).isEqualTo(rows);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void aStoppedChangeModeAllKeepsItsCommittedBatchesAndARerunFinishesTheRest() {
        CourseKey c = course();
        for (int i = 0; i < 7; i++) {
            repo.enroll(user("stop"), c, CourseMode.AUDIT);
        }
        RuntimeException stop = new IllegalStateException("operator pressed Ctrl-C");

        Throwable thrown = catchThrowable(() -> repo.changeModeAll(c, CourseMode.AUDIT, CourseMode.VERIFIED, done -> {
            throw stop;
        }));

        assertThat(thrown).isSameAs(stop);
        assertThat(repo.countsByMode(c)).containsEntry(CourseMode.VERIFIED, (long) BATCH)
                .containsEntry(CourseMode.AUDIT, 7L - BATCH);
        assertThat(repo.changeModeAll(c, CourseMode.AUDIT, CourseMode.VERIFIED)).isEqualTo(7 - BATCH);
        assertThat(repo.countsByMode(c)).containsOnlyKeys(CourseMode.VERIFIED).containsEntry(CourseMode.VERIFIED, 7L);
    }

    @Test
    void changeModeAllRejectsTheSameModeAndNullsAndWritesNothing() {
        CourseKey c = course();
        repo.enroll(user("same"), c, CourseMode.AUDIT);
        long rows = historyRows();

        assertThatThrownBy(() -> repo.changeModeAll(c, CourseMode.AUDIT, CourseMode.AUDIT))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("to ");
        assertThatThrownBy(() -> repo.changeModeAll(null, CourseMode.AUDIT, CourseMode.HONOR))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("course ");
        assertThatThrownBy(() -> repo.changeModeAll(c, null, CourseMode.HONOR))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("from ");
        assertThatThrownBy(() -> repo.changeModeAll(c, CourseMode.AUDIT, null))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("to ");
        assertThatThrownBy(() -> repo.changeModeAll(c, CourseMode.AUDIT, CourseMode.HONOR, null))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("progress ");
        assertThat(historyRows()).isEqualTo(rows);
        assertThat(repo.countsByMode(c)).containsOnlyKeys(CourseMode.AUDIT);
        assertThat(repo.changeModeAll(course(), CourseMode.AUDIT, CourseMode.HONOR)).as("an empty course").isZero();
    }

    // ---- allow for an existing user ----------------------------------------------------------------------------

    @Test
    void allowForAnEmailThatBelongsToAUserLinksItAndEnrollsThemAtOnce() {
        String local = unique("ex");
        User u = user("exu", local + "@Example.com");
        CourseKey auto = course();
        CourseKey manual = course();
        events.take();

        allowances.allow(local.toUpperCase() + "@EXAMPLE.com", auto, true);

        Enrollment e = repo.find(u, auto).orElseThrow();
        assertThat(e.isActive()).isTrue();
        assertThat(e.mode()).isEqualTo(CourseMode.AUDIT);
        assertThat(history(e.id())).containsExactly("+:true:audit");
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);
        assertThat(allowances.forEmail(u.email())).singleElement().satisfies(a -> assertThat(a.user()).contains(u));

        allowances.allow(u.email(), manual, false);
        assertThat(repo.find(u, manual)).as("not auto-enroll: linked, not enrolled").isEmpty();
        assertThat(allowances.forEmail(u.email())).hasSize(2).allSatisfy(a -> assertThat(a.user()).contains(u));
        assertThat(events.take()).isEmpty();

        // Linked allowances are never reused by somebody else with the email.
        User second = user("exv", u.email().toUpperCase());
        assertThat(repo.forUser(second)).isEmpty();
    }

    @Test
    void allowForAnExistingUserKeepsAModeOtherThanAuditAndActivatesAnInactiveRowInItsMode() {
        String email = unique("keep") + "@example.com";
        User u = user("keepu", email);
        CourseKey paid = course();
        CourseKey lapsed = course();
        repo.enroll(u, paid, CourseMode.VERIFIED);
        repo.enroll(u, lapsed, CourseMode.PROFESSIONAL);
        repo.unenroll(u, lapsed);
        events.take();
        long rows = historyRows();

        allowances.allow(email, paid, true);
        assertThat(repo.find(u, paid).orElseThrow()).satisfies(e -> {
            assertThat(e.mode()).isEqualTo(CourseMode.VERIFIED);
            assertThat(e.isActive()).isTrue();
        });
        assertThat(historyRows()).as("nothing changed").isEqualTo(rows);
        assertThat(events.take()).isEmpty();

        allowances.allow(email, lapsed, true);
        assertThat(repo.find(u, lapsed).orElseThrow()).satisfies(e -> {
            assertThat(e.mode()).isEqualTo(CourseMode.PROFESSIONAL);
            assertThat(e.isActive()).isTrue();
        });
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.ACTIVATED);
    }

    @Test
    void savingAUserKeepsTheModeOfAnEnrollmentItAlreadyHas() {
        // Through changeEmail: the user exists, is verified in the course, and then gets the allowance's email.
        User u = user("svm", unique("old") + "@example.com");
        CourseKey c = course();
        repo.enroll(u, c, CourseMode.VERIFIED);
        String email = unique("new") + "@example.com";
        allowances.allow(email, c, true);

        enrollments.users().changeEmail(u, email);

        assertThat(repo.find(u, c).orElseThrow().mode()).isEqualTo(CourseMode.VERIFIED);
    }

    // ---- changeEmail -------------------------------------------------------------------------------------------

    @Test
    void changeEmailUpdatesTheRowAndUsesTheNewEmailsAllowancesInTheSameTransaction() {
        User u = user("ce", unique("before") + "@example.com");
        String local = unique("after");
        String email = local + "@Example.com";
        CourseKey auto = course();
        CourseKey manual = course();
        allowances.allow(email.toLowerCase(), auto, true);
        allowances.allow(email, manual, false);
        events.take();

        User changed = enrollments.users().changeEmail(u, email);

        assertThat(changed.email()).isEqualTo(email);
        assertThat(changed.id()).isEqualTo(u.id());
        assertThat(changed.username()).isEqualTo(u.username());
        assertThat(enrollments.users().findById(u.id().getAsLong())).contains(changed);
        assertThat(repo.isEnrolled(changed, auto)).isTrue();
        assertThat(repo.find(changed, manual)).isEmpty();
        assertThat(allowances.forEmail(email)).hasSize(2).allSatisfy(a -> assertThat(a.user()).contains(changed));
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);

        // Own email in another letter case: allowed; the empty email too.
        assertThat(enrollments.users().changeEmail(changed, email.toUpperCase()).email())
                .isEqualTo(email.toUpperCase());
        assertThat(enrollments.users().changeEmail(changed, "").email()).isEmpty();
    }

    @Test
    void changeEmailToAnotherUsersEmailIsRefusedAndWritesNothing() {
        String taken = unique("taken") + "@example.com";
        User owner = user("own", taken);
        String before = unique("mine") + "@example.com";
        User u = user("want", before);
        allowances.allow(taken, course(), true);   // linked to owner at once
        long rows = historyRows();

        Throwable thrown = catchThrowable(() -> enrollments.users().changeEmail(u, taken.toUpperCase()));

        assertThat(thrown).isInstanceOf(UserAlreadyExistsException.class).hasMessageStartingWith("email ")
                .hasMessageNotContaining(taken);
        assertThat(((UserAlreadyExistsException) thrown).email()).contains(taken.toUpperCase());
        assertThat(((UserAlreadyExistsException) thrown).username()).isNull();
        assertThat(enrollments.users().findById(u.id().getAsLong()).orElseThrow().email()).isEqualTo(before);
        assertThat(historyRows()).isEqualTo(rows);
        assertThat(enrollments.users().findById(owner.id().getAsLong()).orElseThrow().email()).isEqualTo(taken);
    }

    @Test
    void changeEmailRejectsBadInputAndAMissingUser() {
        User u = user("cebad", unique("ok") + "@example.com");
        assertThatThrownBy(() -> enrollments.users().changeEmail(u, "no-at")).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("email ");
        assertThatThrownBy(() -> enrollments.users().changeEmail(u, null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> enrollments.users().changeEmail(User.unsaved("x", ""), "a@b"))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("user ");
        assertThatThrownBy(() -> enrollments.users().changeEmail(null, "a@b")).isInstanceOf(InvalidInputException.class);
        assertThat(enrollments.users().findById(u.id().getAsLong()).orElseThrow().email()).isEqualTo(u.email());

        String email = unique("ghost") + "@example.com";
        allowances.allow(email, course(), true);
        db.execute("DELETE FROM auth_user WHERE id = " + u.id().getAsLong());
        assertThatThrownBy(() -> enrollments.users().changeEmail(u, email)).isInstanceOf(NotFoundException.class);
        assertThat(allowances.forEmail(email)).singleElement().satisfies(a -> assertThat(a.user()).isEmpty());
    }

    @Test
    void aRolledBackChangeEmailUsesNoAllowance() {
        User u = user("cerb", unique("x") + "@example.com");
        String email = unique("rb") + "@example.com";
        CourseKey c = course();
        allowances.allow(email, c, true);

        assertThatThrownBy(() -> enrollments.transaction(tx -> {
            tx.users().changeEmail(u, email);
            throw new IllegalArgumentException("abort");
        })).isInstanceOf(IllegalArgumentException.class);

        assertThat(repo.find(u, c)).isEmpty();
        assertThat(allowances.forEmail(email)).singleElement().satisfies(a -> assertThat(a.user()).isEmpty());
        assertThat(enrollments.users().findById(u.id().getAsLong()).orElseThrow().email()).isEqualTo(u.email());
    }
}
