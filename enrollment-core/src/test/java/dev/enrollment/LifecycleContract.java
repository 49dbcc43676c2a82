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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The enrollment lifecycle: writes, history rows, after-commit events, transactions, queries and pre-enrollment by
 * email. Run against every database by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LifecycleContract {
    private static final AtomicInteger SEQ = new AtomicInteger();

    TestDatabase db;
    Enrollments enrollments;
    EnrollmentRepository repo;
    final RecordingListener events = new RecordingListener();
    final List<String> order = new ArrayList<>();

    abstract TestDatabase.Kind kind();

    @BeforeAll
    void open() {
        db = TestDatabase.create(kind());
        enrollments = Enrollments.builder()
                .dataSource(db.dataSource())
                .listener(events)
                .listener(e -> {
                    synchronized (order) {
                        order.add("second:" + e.type());
                    }
                })
                .build();
        enrollments.migrate();
        repo = enrollments.enrollments();
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
    void clearEvents() {
        events.take();
        synchronized (order) {
            order.clear();
        }
    }

    static String unique(String prefix) {
        return prefix + SEQ.incrementAndGet() + "x" + System.nanoTime() % 1_000_000;
    }

    User user(String prefix) {
        return enrollments.users().save(User.unsaved(unique(prefix), ""));
    }

    static CourseKey course() {
        return CourseKey.parse("course-v1:Life+Cycle+" + unique("r"));
    }

    /** The history rows of one enrollment, oldest first: "type:active:mode:actor:reason". */
    List<String> history(long enrollmentId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT history_type, is_active, mode, history_user_id, "
                     + "history_change_reason, user_id, course_id, history_date FROM student_courseenrollment_history "
                     + "WHERE id = ? ORDER BY history_id")) {
            ps.setLong(1, enrollmentId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getTimestamp(8)).as("history_date").isNotNull();
                    rows.add(rs.getString(1) + ":" + rs.getBoolean(2) + ":" + rs.getString(3) + ":"
                            + rs.getObject(4) + ":" + rs.getString(5));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    // ---- enroll / unenroll / changeMode ------------------------------------------------------------------------

    @Test
    void enrollCreatesAnActiveRowWithHistoryAndACreatedEvent() {
        User u = user("en");
        CourseKey c = course();

        Enrollment e = repo.enroll(u, c, CourseMode.VERIFIED);

        assertThat(e.isActive()).isTrue();
        assertThat(e.mode()).isEqualTo(CourseMode.VERIFIED);
        assertThat(repo.find(u, c)).contains(e);
        assertThat(history(e.id())).containsExactly("+:true:verified:null:null");
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).type()).isEqualTo(EnrollmentEvent.Type.CREATED);
        assertThat(heard.get(0).before()).isEmpty();
        assertThat(heard.get(0).after()).contains(e);
        assertThat(order).containsExactly("second:CREATED");
    }

    @Test
    void getOrCreateThenEnrollActivatesWithBeforeAndAfter() {
        User u = user("act");
        CourseKey c = course();
        Enrollment created = repo.getOrCreate(u, c);

        Enrollment active = repo.enroll(u, c, CourseMode.HONOR);

        assertThat(active.id()).isEqualTo(created.id());
        assertThat(active.isActive()).isTrue();
        assertThat(active.mode()).isEqualTo(CourseMode.HONOR);
        assertThat(active.created()).isEqualTo(created.created());
        assertThat(history(created.id())).containsExactly("+:false:audit:null:null", "~:true:honor:null:null");
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard).extracting(EnrollmentEvent::type)
                .containsExactly(EnrollmentEvent.Type.CREATED, EnrollmentEvent.Type.ACTIVATED);
        assertThat(heard.get(1).before()).contains(created);
        assertThat(heard.get(1).after()).contains(active);
    }

    @Test
    void aCallThatChangesNothingWritesNoHistoryAndFiresNoEvent() {
        User u = user("noop");
        CourseKey c = course();
        Enrollment e = repo.enroll(u, c, CourseMode.VERIFIED);
        events.take();

        assertThat(repo.enroll(u, c, CourseMode.VERIFIED)).isEqualTo(e);
        assertThat(repo.getOrCreate(u, c)).isEqualTo(e);
        assertThat(repo.changeMode(u, c, CourseMode.VERIFIED)).isEqualTo(e);
        repo.unenroll(u, c);
        events.take();
        Enrollment inactive = repo.unenroll(u, c);

        assertThat(inactive.isActive()).isFalse();
        assertThat(history(e.id())).containsExactly("+:true:verified:null:null", "~:false:verified:null:null");
        assertThat(events.take()).isEmpty();
    }

    @Test
    void enrollInAnotherModeWhileActiveIsAModeChange() {
        User u = user("mc");
        CourseKey c = course();
        repo.enroll(u, c, CourseMode.AUDIT);
        events.take();

        Enrollment e = repo.enroll(u, c, CourseMode.PROFESSIONAL);

        assertThat(e.mode()).isEqualTo(CourseMode.PROFESSIONAL);
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.MODE_CHANGED);
    }

    @Test
    void unenrollDeactivatesAndKeepsTheRow() {
        User u = user("un");
        CourseKey c = course();
        Enrollment active = repo.enroll(u, c, CourseMode.VERIFIED);
        events.take();

        Enrollment inactive = repo.unenroll(u, c);

        assertThat(inactive.isActive()).isFalse();
        assertThat(inactive.mode()).isEqualTo(CourseMode.VERIFIED);
        assertThat(repo.isEnrolled(u, c)).isFalse();
        assertThat(repo.find(u, c)).contains(inactive);
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.DEACTIVATED);
        assertThat(heard.get(0).before()).contains(active);
    }

    @Test
    void unenrollAndChangeModeOfNothingAreNotFoundAndWriteNothing() {
        User u = user("nf");
        CourseKey c = course();
        long history = db.count("student_courseenrollment_history");
        long rows = db.count("student_courseenrollment");

        assertThatThrownBy(() -> repo.unenroll(u, c)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("unenroll").hasMessageContaining(c.toString());
        assertThatThrownBy(() -> repo.changeMode(u, c, CourseMode.HONOR)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("changeMode");

        assertThat(db.count("student_courseenrollment_history")).isEqualTo(history);
        assertThat(db.count("student_courseenrollment")).isEqualTo(rows);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void changeModeWorksOnInactiveRowsAndKeepsThemInactive() {
        User u = user("cm");
        CourseKey c = course();
        Enrollment e = repo.getOrCreate(u, c);
        events.take();

        Enrollment changed = repo.changeMode(u, c, CourseMode.CREDIT);

        assertThat(changed.isActive()).isFalse();
        assertThat(changed.mode()).isEqualTo(CourseMode.CREDIT);
        assertThat(history(e.id())).containsExactly("+:false:audit:null:null", "~:false:credit:null:null");
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.MODE_CHANGED);
    }

    @Test
    void historyRecordsTheActorAndReason() {
        User admin = user("admin");
        User u = user("hist");
        CourseKey c = course();
        EnrollmentRepository audited = repo.changedBy(admin, "refund #42");

        Enrollment e = audited.enroll(u, c, CourseMode.VERIFIED);
        audited.unenroll(u, c);

        long adminId = admin.id().getAsLong();
        assertThat(history(e.id())).containsExactly("+:true:verified:" + adminId + ":refund #42",
                "~:false:verified:" + adminId + ":refund #42");
        assertThatThrownBy(() -> repo.changedBy(admin, "r".repeat(101))).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("reason ");
        assertThatThrownBy(() -> repo.changedBy(User.unsaved("ghost", ""), null))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("user ");
    }

    @Test
    void nullArgumentsAreRejectedAndNothingIsWritten() {
        User u = user("nul");
        CourseKey c = course();
        long rows = db.count("student_courseenrollment");
        assertThatThrownBy(() -> repo.enroll(u, c, null)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("mode ");
        assertThatThrownBy(() -> repo.enroll(null, c, CourseMode.AUDIT)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> repo.unenroll(User.unsaved("x", ""), c))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("must be saved");
        assertThatThrownBy(() -> repo.changeMode(User.unsaved("x", ""), c, CourseMode.HONOR))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("must be saved");
        assertThatThrownBy(() -> repo.unenroll(u, null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> repo.forCourse(null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> repo.usersInCourse(c, null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> enrollments.transaction(null)).isInstanceOf(InvalidInputException.class);
        assertThat(db.count("student_courseenrollment")).isEqualTo(rows);
    }

    // ---- transactions and events -------------------------------------------------------------------------------

    @Test
    void aTransactionCommitsEverythingAndFiresEventsAfterCommitInOrder() {
        CourseKey c1 = course();
        CourseKey c2 = course();
        String name = unique("tx");
        AtomicReference<Long> rowsSeenByListenerDuringWork = new AtomicReference<>();

        Enrollment result = enrollments.transactionResult(tx -> {
            User u = tx.users().save(User.unsaved(name, ""));
            tx.enrollments().enroll(u, c1, CourseMode.VERIFIED);
            Enrollment e2 = tx.enrollments().getOrCreate(u, c2);
            rowsSeenByListenerDuringWork.set((long) events.events().size());
            return tx.enrollments().enroll(u, c2, CourseMode.HONOR);
        });

        assertThat(rowsSeenByListenerDuringWork.get()).as("no event before commit").isZero();
        User saved = enrollments.users().findByUsername(name).orElseThrow();
        assertThat(repo.forUser(saved)).hasSize(2);
        assertThat(result.isActive()).isTrue();
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED,
                EnrollmentEvent.Type.CREATED, EnrollmentEvent.Type.ACTIVATED);
    }

    @Test
    void aTransactionThatThrowsRollsEverythingBackRethrowsTheSameExceptionAndFiresNothing() {
        String name = unique("rb");
        CourseKey c = course();
        long users = db.count("auth_user");
        long rows = db.count("student_courseenrollment");
        long history = db.count("student_courseenrollment_history");
        IllegalStateException boom = new IllegalStateException("the caller's own failure");

        Throwable thrown = catchThrowable(() -> enrollments.transaction(tx -> {
            User u = tx.users().save(User.unsaved(name, ""));
            tx.enrollments().enroll(u, c, CourseMode.VERIFIED);
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
        assertThat(enrollments.users().findByUsername(name)).isEmpty();
        assertThat(db.count("auth_user")).isEqualTo(users);
        assertThat(db.count("student_courseenrollment")).isEqualTo(rows);
        assertThat(db.count("student_courseenrollment_history")).isEqualTo(history);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void aLibraryExceptionInsideATransactionRollsBackTooAndReachesTheCallerUnchanged() {
        User u = user("lib");
        CourseKey c = course();
        Throwable thrown = catchThrowable(() -> enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, c, CourseMode.VERIFIED);
            tx.enrollments().unenroll(u, course());   // no such enrollment
        }));
        assertThat(thrown).isInstanceOf(NotFoundException.class);
        assertThat(repo.find(u, c)).isEmpty();
        assertThat(events.take()).isEmpty();
    }

    @Test
    void whenAListenerHearsOfAChangeOtherConnectionsCanAlreadySeeIt() {
        List<Long> visible = new ArrayList<>();
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource())
                .listener(ev -> visible.add(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE id = "
                        + ev.after().orElseThrow().id() + " AND is_active = TRUE")))
                .build()) {
            User u = e.users().save(User.unsaved(unique("vis"), ""));
            e.enrollments().enroll(u, course(), CourseMode.VERIFIED);
            e.transaction(tx -> tx.enrollments().enroll(u, course(), CourseMode.HONOR));
        }
        assertThat(visible).as("committed before the listener ran").containsExactly(1L, 1L);
    }

    @Test
    void theCallersOwnStatementsRunInTheSameTransaction() {
        User u = user("touch");
        CourseKey c = course();
        assertThatThrownBy(() -> enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, c, CourseMode.VERIFIED);
            try (java.sql.PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE auth_user SET last_login = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setLong(1, u.id().getAsLong());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalArgumentException("roll back both");
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(repo.find(u, c)).isEmpty();
        assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE last_login IS NOT NULL AND id = "
                + u.id().getAsLong())).isZero();

        enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, c, CourseMode.VERIFIED);
            try (java.sql.PreparedStatement ps = tx.connection().prepareStatement(
                    "UPDATE auth_user SET last_login = CURRENT_TIMESTAMP WHERE id = ?")) {
                ps.setLong(1, u.id().getAsLong());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(repo.isEnrolled(u, c)).isTrue();
        assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE last_login IS NOT NULL AND id = "
                + u.id().getAsLong())).isEqualTo(1);
        AtomicReference<Transaction> kept = new AtomicReference<>();
        enrollments.transaction(kept::set);
        assertThatThrownBy(() -> kept.get().connection()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aTransactionWhoseLibraryCallFailedInTheDatabaseRollsBackEvenIfTheCallerCarriesOn() {
        User u = user("half");
        CourseKey ok = course();
        String constraint = "reject_" + unique("tx");
        db.execute("ALTER TABLE student_courseenrollment ADD CONSTRAINT " + constraint
                + " CHECK (course_id <> 'course-v1:Boom+Tx+1')");
        try {
            Throwable thrown = catchThrowable(() -> enrollments.transaction(tx -> {
                tx.enrollments().enroll(u, ok, CourseMode.VERIFIED);
                try {
                    tx.enrollments().enroll(u, CourseKey.parse("course-v1:Boom+Tx+1"), CourseMode.VERIFIED);
                } catch (DatabaseException swallowed) {
                    // the caller carries on as if nothing happened
                }
            }));
            assertThat(thrown).isInstanceOf(DatabaseException.class).hasMessageContaining("transaction rolled back");
            assertThat(repo.find(u, ok)).as("nothing of it committed").isEmpty();
            assertThat(events.take()).isEmpty();
        } finally {
            db.execute("ALTER TABLE student_courseenrollment DROP CONSTRAINT " + constraint);
        }
    }

    @Test
    void aCheckedExceptionThrownByTheWorkRollsBackAndReachesTheCallerUnchanged() {
        User u = user("sneaky");
        CourseKey c = course();
        SQLException checked = new SQLException("the caller's own statement failed");
        Throwable thrown = catchThrowable(() -> enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, c, CourseMode.VERIFIED);
            throw LifecycleContract.<RuntimeException>sneaky(checked);
        }));
        assertThat(thrown).isSameAs(checked);
        assertThat(repo.find(u, c)).isEmpty();
        assertThat(events.take()).isEmpty();
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Test
    void aStreamCannotOutliveItsTransaction() {
        User u = user("outlive");
        CourseKey c = course();
        repo.enroll(u, c, CourseMode.AUDIT);
        repo.enroll(user("outlive2"), c, CourseMode.AUDIT);
        Stream<Enrollment> escaped = enrollments.transactionResult(tx -> tx.enrollments().forCourse(c));
        assertThatThrownBy(() -> escaped.forEach(e -> { })).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("transaction is over");
        long inside = enrollments.<Long>transactionResult(tx -> {
            try (Stream<Enrollment> s = tx.enrollments().forCourse(c)) {
                return s.count();
            }
        });
        assertThat(inside).isEqualTo(2);
    }

    @Test
    void theTransactionsRepositoriesCannotBeUsedAfterItEnds() {
        AtomicReference<Transaction> kept = new AtomicReference<>();
        enrollments.transaction(kept::set);
        assertThatThrownBy(() -> kept.get().users().findByUsername("anyone"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("transaction is over");
    }

    @Test
    void aListenerThatThrowsNeitherUndoesTheChangeNorStopsTheOthers() {
        RecordingListener after = new RecordingListener();
        try (Enrollments e = Enrollments.builder().dataSource(db.dataSource())
                .listener(ev -> {
                    throw new IllegalStateException("listener failure");
                })
                .listener(after)
                .build()) {
            User u = e.users().save(User.unsaved(unique("thr"), ""));
            CourseKey c = course();

            Enrollment enrolled = e.enrollments().enroll(u, c, CourseMode.VERIFIED);

            assertThat(e.enrollments().find(u, c)).contains(enrolled);
            assertThat(after.events()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);
        }
    }

    // ---- queries -----------------------------------------------------------------------------------------------

    @Test
    void queriesIncludeOrCountWhatTheySay() {
        CourseKey c = course();
        User a = user("qa");
        User b = user("qb");
        User d = user("qd");
        User inactive = user("qi");
        repo.enroll(a, c, CourseMode.VERIFIED);
        repo.enroll(b, c, CourseMode.VERIFIED);
        repo.enroll(d, c, CourseMode.AUDIT);
        repo.getOrCreate(inactive, c);
        CourseKey other = course();
        repo.enroll(a, other, CourseMode.HONOR);

        assertThat(repo.forUser(a)).extracting(Enrollment::courseKey).containsExactly(c, other);
        assertThat(repo.forUser(inactive)).hasSize(1).allSatisfy(e -> assertThat(e.isActive()).isFalse());
        try (Stream<Enrollment> s = repo.forCourse(c)) {
            assertThat(s.map(e -> e.user().username()).collect(Collectors.toList()))
                    .containsExactly(a.username(), b.username(), d.username(), inactive.username());
        }
        try (Stream<User> s = repo.usersInCourse(c, CourseFilter.active())) {
            assertThat(s.collect(Collectors.toList())).containsExactly(a, b, d);
        }
        try (Stream<User> s = repo.usersInCourse(c, CourseFilter.includingInactive())) {
            assertThat(s.collect(Collectors.toList())).containsExactly(a, b, d, inactive);
        }
        try (Stream<User> s = repo.usersInCourse(c, CourseFilter.active().modes(CourseMode.VERIFIED))) {
            assertThat(s.collect(Collectors.toList())).containsExactly(a, b);
        }
        try (Stream<User> s = repo.usersInCourse(c, CourseFilter.includingInactive().modes(CourseMode.AUDIT))) {
            assertThat(s.collect(Collectors.toList())).containsExactly(d, inactive);
        }
        assertThat(repo.countsByMode(c)).isEqualTo(Map.of(CourseMode.VERIFIED, 2L, CourseMode.AUDIT, 1L));
        assertThat(repo.countsByMode(course())).isEmpty();
    }

    @Test
    void forCourseLeavesOutOrphansAndAnAbandonedStreamReleasesItsConnectionWhenClosed() {
        CourseKey c = course();
        User a = user("orph");
        repo.enroll(a, c, CourseMode.AUDIT);
        db.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) VALUES ('"
                + c + "', NULL, TRUE, 'audit', 987654321)");
        for (int i = 0; i < 30; i++) {       // more than the pool's 10 connections: each close must release one
            try (Stream<Enrollment> s = repo.forCourse(c)) {
                assertThat(s.findFirst()).hasValueSatisfying(e -> assertThat(e.user()).isEqualTo(a));
            }
        }
        try (Stream<Enrollment> s = repo.forCourse(c)) {
            assertThat(s.count()).isEqualTo(1);
        }
    }

    // ---- pre-enrollment by email -------------------------------------------------------------------------------

    @Test
    void aUserSavedAfterAnAllowanceIsEnrolledAndTheAllowanceShowsTheUser() {
        String local = unique("pre");
        String email = local + "@Example.COM";
        CourseKey auto = course();
        CourseKey manual = course();
        enrollments.allowances().allow(email, auto, true);
        enrollments.allowances().allow(email.toUpperCase(), manual, false);
        assertThat(enrollments.allowances().forEmail(email)).hasSize(2)
                .allSatisfy(a -> assertThat(a.user()).isEmpty());

        User u = enrollments.users().save(User.unsaved(local, email.toLowerCase()));

        assertThat(repo.isEnrolled(u, auto)).isTrue();
        assertThat(repo.find(u, auto)).hasValueSatisfying(e -> assertThat(e.mode()).isEqualTo(CourseMode.AUDIT));
        assertThat(repo.find(u, manual)).isEmpty();
        List<Allowance> allowances = enrollments.allowances().forEmail(email.toUpperCase());
        assertThat(allowances).extracting(Allowance::courseKey).containsExactly(auto, manual);
        assertThat(allowances).allSatisfy(a -> {
            assertThat(a.user()).contains(u);
            assertThat(a.email()).isEqualTo(email.toLowerCase());
        });
        assertThat(events.take()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);

        // A second user with the same email in another case does not reuse them.
        User second = enrollments.users().save(User.unsaved(unique("pre2"), email.toUpperCase()));
        assertThat(repo.forUser(second)).isEmpty();
        assertThat(enrollments.allowances().forEmail(email)).allSatisfy(a -> assertThat(a.user()).contains(u));
    }

    @Test
    void getOrCreateWithAnUnsavedUserUsesTheAllowanceInTheSameTransaction() {
        String email = unique("goc") + "@example.com";
        CourseKey c = course();
        enrollments.allowances().allow(email, c, true);

        Enrollment e = repo.getOrCreate(User.unsaved(unique("gocu"), email), c);

        assertThat(e.isActive()).as("the auto-enroll allowance activated it").isTrue();
        assertThat(enrollments.allowances().forEmail(email)).singleElement()
                .satisfies(a -> assertThat(a.user()).contains(e.user()));
    }

    @Test
    void allowingTwiceUpdatesAutoEnrollAndBadEmailsAreRejected() {
        String email = unique("twice") + "@example.com";
        CourseKey c = course();
        enrollments.allowances().allow(email, c, false);
        enrollments.allowances().allow(email, c, true);
        assertThat(enrollments.allowances().forEmail(email)).singleElement()
                .satisfies(a -> assertThat(a.autoEnroll()).isTrue());

        long rows = db.count("student_courseenrollmentallowed");
        assertThatThrownBy(() -> enrollments.allowances().allow("", c, true))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("email ");
        assertThatThrownBy(() -> enrollments.allowances().allow("no-at", c, true))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("email ");
        assertThatThrownBy(() -> enrollments.allowances().allow(email, null, true))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("course ");
        assertThat(db.count("student_courseenrollmentallowed")).isEqualTo(rows);
    }

    @Test
    void aRolledBackSaveDoesNotUseTheAllowance() {
        String email = unique("rbs") + "@example.com";
        CourseKey c = course();
        enrollments.allowances().allow(email, c, true);

        assertThatThrownBy(() -> enrollments.transaction(tx -> {
            tx.users().save(User.unsaved(unique("rbsu"), email));
            throw new IllegalArgumentException("abort");
        })).isInstanceOf(IllegalArgumentException.class);

        assertThat(enrollments.allowances().forEmail(email)).singleElement()
                .satisfies(a -> assertThat(a.user()).isEmpty());
        User later = enrollments.users().save(User.unsaved(unique("rbsv"), email));
        assertThat(repo.isEnrolled(later, c)).isTrue();
    }
}
