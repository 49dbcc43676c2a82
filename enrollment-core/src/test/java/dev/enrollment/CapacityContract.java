package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Course capacity ({@link Enrollments.Builder#capacity}): exact under races with real threads, nothing written for
 * a refused activation, only activations take a seat, and courses without a limit pay nothing. Run against every
 * database by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CapacityContract {
    static final int THREADS = 32;
    static final int ROOM = 10;
    static final int BATCH = 4;
    private static final AtomicInteger SEQ = new AtomicInteger();

    TestDatabase db;
    RecordingDataSource recorder;
    Enrollments enrollments;
    EnrollmentRepository repo;
    /** The limits the capacity answers with; courses absent here have none. */
    final Map<CourseKey, Long> limits = new ConcurrentHashMap<>();
    final AtomicInteger asked = new AtomicInteger();
    final RecordingListener events = new RecordingListener();
    ExecutorService pool;

    abstract TestDatabase.Kind kind();

    @BeforeAll
    void open() {
        db = TestDatabase.create(kind(), 16);
        recorder = new RecordingDataSource(db.dataSource());
        enrollments = Enrollments.builder().dataSource(recorder).batchSize(BATCH).listener(events)
                .capacity(course -> {
                    asked.incrementAndGet();
                    Long max = limits.get(course);
                    return max == null ? OptionalLong.empty() : OptionalLong.of(max);
                })
                .build();
        enrollments.migrate();
        repo = enrollments.enrollments();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    void close() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
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

    List<User> users(String prefix, int n) {
        List<User> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(user(prefix));
        }
        return list;
    }

    CourseKey capped(long max) {
        CourseKey c = CourseKey.parse("course-v1:Cap+Seats+" + unique("r"));
        limits.put(c, max);
        return c;
    }

    static CourseKey uncapped() {
        return CourseKey.parse("course-v1:Cap+Open+" + unique("r"));
    }

    long active(CourseKey c) {
        return db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE is_active = TRUE AND course_id = '"
                + c + "'");
    }

    long rows(CourseKey c) {
        return db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + c + "'");
    }

    long historyRows(CourseKey c) {
        return db.queryLong("SELECT COUNT(*) FROM " + OperatorsContract.HISTORY + " WHERE course_id = '" + c + "'");
    }

    // ---- enroll ------------------------------------------------------------------------------------------------

    @Test
    void enrollPastTheLimitThrowsCourseFullAndWritesNothing() {
        CourseKey c = capped(2);
        User a = user("a");
        User b = user("b");
        User late = user("late");
        repo.enroll(a, c, CourseMode.AUDIT);
        repo.enroll(b, c, CourseMode.VERIFIED);
        events.take();
        long history = historyRows(c);

        Throwable thrown = catchThrowable(() -> repo.enroll(late, c, CourseMode.AUDIT));

        assertThat(thrown).isInstanceOf(CourseFullException.class).isInstanceOf(EnrollmentException.class)
                .hasMessageContaining("full").hasMessageContaining(c.toString());
        assertThat(((CourseFullException) thrown).course()).isEqualTo(c);
        assertThat(((CourseFullException) thrown).maxActive()).isEqualTo(2);
        assertThat(repo.find(late, c)).isEmpty();
        assertThat(historyRows(c)).isEqualTo(history);
        assertThat(events.take()).isEmpty();
        assertThat(active(c)).isEqualTo(2);

        // an unsaved user is not saved either: the refusal rolls back its insert
        String name = unique("unsaved");
        assertThatThrownBy(() -> repo.enroll(User.unsaved(name, ""), c, CourseMode.AUDIT))
                .isInstanceOf(CourseFullException.class);
        assertThat(enrollments.users().findByUsername(name)).isEmpty();
    }

    @Test
    void onlyActivatingTakesASeat() {
        CourseKey c = capped(1);
        User holder = user("hold");
        User waiting = user("wait");
        repo.enroll(holder, c, CourseMode.AUDIT);

        Enrollment inactive = repo.getOrCreate(waiting, c);          // an inactive row: no seat needed
        assertThat(inactive.isActive()).isFalse();
        assertThatThrownBy(() -> repo.enroll(waiting, c, CourseMode.AUDIT)).isInstanceOf(CourseFullException.class);
        assertThat(repo.find(waiting, c)).contains(inactive);
        assertThat(repo.changeMode(waiting, c, CourseMode.HONOR).isActive()).as("changing an inactive row's mode")
                .isFalse();
        assertThat(repo.enroll(holder, c, CourseMode.VERIFIED).mode()).as("a mode change keeps its seat")
                .isEqualTo(CourseMode.VERIFIED);
        assertThat(repo.enroll(holder, c, CourseMode.VERIFIED).isActive()).isTrue();

        repo.unenroll(holder, c);                                     // frees the seat
        Enrollment now = repo.enroll(waiting, c, CourseMode.HONOR);
        assertThat(now.isActive()).isTrue();
        assertThat(now.id()).isEqualTo(inactive.id());
        assertThatThrownBy(() -> repo.enroll(holder, c, CourseMode.VERIFIED)).isInstanceOf(CourseFullException.class);
        assertThat(repo.find(holder, c).orElseThrow().isActive()).isFalse();
    }

    @Test
    void aCapacityOfZeroRefusesEveryActivationAndALowerLimitDeactivatesNobody() {
        CourseKey c = capped(3);
        List<User> three = users("low", 3);
        three.forEach(u -> repo.enroll(u, c, CourseMode.AUDIT));
        limits.put(c, 0L);

        assertThatThrownBy(() -> repo.enroll(user("zero"), c, CourseMode.AUDIT))
                .isInstanceOf(CourseFullException.class);
        assertThat(active(c)).isEqualTo(3);
        assertThat(repo.enroll(three.get(0), c, CourseMode.HONOR).isActive()).isTrue();
    }

    @Test
    void aRowInAModeTheLibraryDoesNotKnowStillHoldsASeat() {
        CourseKey c = capped(1);
        User legacy = user("legacy");
        db.execute("INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) VALUES ('"
                + c + "', NULL, TRUE, 'legacy-mode', " + legacy.id().getAsLong() + ")");

        assertThatThrownBy(() -> repo.enroll(user("new"), c, CourseMode.AUDIT)).isInstanceOf(CourseFullException.class);
    }

    @Test
    void aBadCapacityAnswerIsInvalidInputAndWritesNothing() {
        CourseKey c = uncapped();
        User u = user("bad");
        Function<Function<CourseKey, OptionalLong>, Enrollments> build = f -> Enrollments.builder()
                .dataSource(db.dataSource()).capacity(f::apply).build();
        RuntimeException boom = new IllegalStateException("capacity service down");
        List<Function<CourseKey, OptionalLong>> bad = List.of(k -> null, k -> OptionalLong.of(-1), k -> {
            throw boom;
        });
        for (Function<CourseKey, OptionalLong> f : bad) {
            try (Enrollments e = build.apply(f)) {
                Throwable thrown = catchThrowable(() -> e.enrollments().enroll(u, c, CourseMode.AUDIT));
                assertThat(thrown).isInstanceOf(InvalidInputException.class).hasMessageStartingWith("capacity ");
                assertThat(catchThrowable(() -> e.enrollments().enrollAll(c, CourseMode.AUDIT, List.of(u))))
                        .isInstanceOf(InvalidInputException.class);
            }
        }
        assertThat(rows(c)).isZero();
        assertThatThrownBy(() -> Enrollments.builder().capacity(null)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("capacity ");
    }

    // ---- enrollAll ---------------------------------------------------------------------------------------------

    @Test
    void enrollAllFillsUpToTheLimitInInputOrderAndCountsTheRestAsRefused() {
        CourseKey c = capped(6);
        List<User> all = users("bulk", 12);
        repo.enroll(all.get(0), c, CourseMode.HONOR);        // active: holds a seat, left alone
        repo.enroll(all.get(5), c, CourseMode.HONOR);
        repo.getOrCreate(all.get(1), c);                       // inactive: reactivated while there is room
        repo.getOrCreate(all.get(11), c);                      // inactive, too late: stays inactive
        events.take();
        List<BulkResult> progress = new ArrayList<>();

        BulkResult r = repo.enrollAll(c, CourseMode.VERIFIED, all, progress::add);

        // Seats: 0 and 5 hold two; 1 (reactivated), 2, 3, 4 take the other four; 6..11 are refused.
        assertThat(r).isEqualTo(new BulkResult(3, 2, 1, 6));
        assertThat(r.total()).isEqualTo(12);
        assertThat(progress).hasSize(3).last().isEqualTo(r);
        assertThat(active(c)).isEqualTo(6);
        for (int i = 0; i < all.size(); i++) {
            boolean seated = i <= 5;
            assertThat(repo.isEnrolled(all.get(i), c)).as("user %d", i).isEqualTo(seated);
        }
        assertThat(repo.find(all.get(11), c).orElseThrow().isActive()).isFalse();
        assertThat(events.take()).hasSize(4);

        BulkResult again = repo.enrollAll(c, CourseMode.VERIFIED, all);
        assertThat(again).isEqualTo(new BulkResult(0, 6, 0, 6));
        assertThat(events.take()).isEmpty();
    }

    // ---- allowances --------------------------------------------------------------------------------------------

    @Test
    void autoEnrollThroughAnAllowanceRespectsTheLimitWithoutRefusingTheAccount() {
        CourseKey c = capped(1);
        repo.enroll(user("first"), c, CourseMode.AUDIT);
        String email = unique("al") + "@example.com";
        enrollments.allowances().allow(email, c, true);

        User u = enrollments.users().save(User.unsaved(unique("alu"), email));   // the save succeeds

        assertThat(repo.find(u, c)).as("no seat: not enrolled").isEmpty();
        assertThat(enrollments.allowances().forEmail(email)).singleElement()
                .satisfies(a -> assertThat(a.user()).as("the allowance is used").contains(u));
        assertThat(active(c)).isEqualTo(1);
    }

    @Test
    void allowForAnExistingUserInAFullCourseIsRefusedAndWritesNothing() {
        CourseKey c = capped(1);
        repo.enroll(user("first"), c, CourseMode.AUDIT);
        String email = unique("ex") + "@example.com";
        User u = enrollments.users().save(User.unsaved(unique("exu"), email));
        long allowed = db.count("student_courseenrollmentallowed");

        assertThatThrownBy(() -> enrollments.allowances().allow(email, c, true))
                .isInstanceOf(CourseFullException.class);

        assertThat(db.count("student_courseenrollmentallowed")).isEqualTo(allowed);
        assertThat(repo.find(u, c)).isEmpty();
        enrollments.allowances().allow(email, c, false);   // not auto-enroll: no seat needed
        assertThat(enrollments.allowances().forEmail(email)).singleElement()
                .satisfies(a -> assertThat(a.user()).contains(u));
    }

    // ---- what it costs -----------------------------------------------------------------------------------------

    @Test
    void coursesWithoutALimitPayNothingNoExtraStatementNoSharedRow() {
        List<User> users = users("free", 6);
        // the same listener: the bulk path reads back its new rows only when someone listens
        try (Enrollments plain = Enrollments.builder().dataSource(recorder).batchSize(BATCH).listener(events)
                .build()) {
            plain.users().findById(users.get(0).id().getAsLong());   // reads the database's identity, once
            List<String> withCapacity = statements(enrollments, users.subList(0, 3), uncapped());
            List<String> without = statements(plain, users.subList(3, 6), uncapped());

            assertThat(withCapacity).isEqualTo(without).isNotEmpty();
            assertThat(withCapacity).noneSatisfy(sql -> assertThat(sql).containsIgnoringCase("enrollment_course_seat"));
        }
        long seatsBefore = db.count("enrollment_course_seat");
        recorder.clear();
        CourseKey c = capped(5);
        repo.enroll(users.get(0), c, CourseMode.AUDIT);
        assertThat(recorder.executed()).as("a capped course does use its seat row")
                .anySatisfy(x -> assertThat(x.sql()).containsIgnoringCase("enrollment_course_seat"));
        assertThat(db.count("enrollment_course_seat")).isEqualTo(seatsBefore + 1);
    }

    /** The SQL of a round of the calls that may activate, on a course with no limit. */
    private List<String> statements(Enrollments e, List<User> three, CourseKey c) {
        recorder.clear();
        e.enrollments().enroll(three.get(0), c, CourseMode.AUDIT);
        e.enrollments().getOrCreate(three.get(1), c);
        e.enrollments().enroll(three.get(1), c, CourseMode.HONOR);
        e.enrollments().enrollAll(c, CourseMode.AUDIT, three);
        String email = unique("pay") + "@example.com";
        e.allowances().allow(email, c, true);
        e.users().save(User.unsaved(unique("payu"), email));
        return recorder.executed().stream().map(RecordingDataSource.Executed::sql).collect(Collectors.toList());
    }

    @Test
    void aCappedEnrollLocksNoUserRow() throws Exception {
        CourseKey c = capped(5);
        User u = user("locked");
        try (Connection holder = db.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("SELECT id FROM auth_user WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, u.id().getAsLong());
                ps.executeQuery().close();
            }
            // Another service holds the user row (a login, a profile edit): enrolling must not wait for it.
            Future<Enrollment> enrolled = pool.submit(() -> repo.enroll(u, c, CourseMode.VERIFIED));
            assertThat(enrolled.get(5, TimeUnit.SECONDS).isActive()).isTrue();
            holder.rollback();
        }
    }

    // ---- races -------------------------------------------------------------------------------------------------

    @Test
    void thirtyTwoConcurrentEnrollsForRoomForTenSeatExactlyTen() throws Exception {
        for (int round = 0; round < 3; round++) {
            CourseKey c = capped(ROOM);
            race(c, users("race" + round, THREADS), u -> repo.enroll(u, c, CourseMode.VERIFIED));
        }
    }

    @Test
    void concurrentEnrollsInsideCallersTransactionsThatReadFirstSeatExactlyTen() throws Exception {
        // A caller's transaction has read before enrolling (on InnoDB its snapshot predates the seat lock): the
        // count must still see every seat taken by those that committed meanwhile.
        CourseKey c = capped(ROOM);
        race(c, users("tx", THREADS), u -> enrollments.transactionResult(tx -> {
            tx.enrollments().forUser(u);
            tx.enrollments().countsByMode(c);
            return tx.enrollments().enroll(u, c, CourseMode.AUDIT);
        }));
    }

    @Test
    void concurrentSavesThroughAutoEnrollAllowancesSeatExactlyTen() throws Exception {
        CourseKey c = capped(ROOM);
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String email = unique("ae") + "@example.com";
            enrollments.allowances().allow(email, c, true);
            emails.add(email);
        }
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<User>> calls = new ArrayList<>();
        for (String email : emails) {
            calls.add(pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return enrollments.users().save(User.unsaved(unique("aeu"), email));
            }));
        }
        for (Future<User> f : calls) {
            f.get(120, TimeUnit.SECONDS);   // every save succeeds
        }
        assertThat(active(c)).isEqualTo(ROOM);
    }

    @Test
    void concurrentEnrollAllRunsSeatExactlyTenAndCountTheRestAsRefused() throws Exception {
        CourseKey c = capped(ROOM);
        List<User> all = users("bulkrace", THREADS);
        int runs = 8;
        CyclicBarrier start = new CyclicBarrier(runs);
        List<Future<BulkResult>> calls = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            List<User> mine = all.subList(r * (THREADS / runs), (r + 1) * (THREADS / runs));
            calls.add(pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return repo.enrollAll(c, CourseMode.AUDIT, mine);
            }));
        }
        BulkResult sum = new BulkResult(0, 0, 0, 0);
        for (Future<BulkResult> f : calls) {
            sum = sum.plus(f.get(120, TimeUnit.SECONDS));
        }
        assertThat(sum).isEqualTo(new BulkResult(ROOM, 0, 0, THREADS - ROOM));
        assertThat(active(c)).isEqualTo(ROOM);
    }

    @Test
    void concurrentEnrollsOfOneUserForTheLastSeatAllSucceed() throws Exception {
        // Each call read "no row" before the seat lock; all but the first find, under the lock, that the user now
        // holds the last seat: that is the user's enrollment, not a full course.
        for (int round = 0; round < 5; round++) {
            CourseKey c = capped(1);
            User u = user("same");
            int n = 8;
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<Enrollment>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return repo.enroll(u, c, CourseMode.AUDIT);
                }));
            }
            for (Future<Enrollment> f : calls) {
                assertThat(f.get(120, TimeUnit.SECONDS).isActive()).isTrue();
            }
            assertThat(rows(c)).isEqualTo(1);
        }
    }

    /** Runs one call per user at once; exactly ROOM succeed, the others get CourseFullException. */
    private void race(CourseKey c, List<User> users, Function<User, Enrollment> call) throws Exception {
        events.take();
        CyclicBarrier start = new CyclicBarrier(users.size());
        List<Future<Enrollment>> calls = new ArrayList<>();
        for (User u : users) {
            calls.add(pool.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return call.apply(u);
            }));
        }
        int seated = 0;
        int full = 0;
        for (Future<Enrollment> f : calls) {
            try {
                assertThat(f.get(120, TimeUnit.SECONDS).isActive()).isTrue();
                seated++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).as("the only failure is a full course").isInstanceOf(CourseFullException.class);
                full++;
            }
        }
        assertThat(seated).isEqualTo(ROOM);
        assertThat(full).isEqualTo(users.size() - ROOM);
        assertThat(active(c)).isEqualTo(ROOM);
        assertThat(rows(c)).as("nothing written for the refused").isEqualTo(ROOM);
        assertThat(events.take()).hasSize(ROOM);
    }
}
