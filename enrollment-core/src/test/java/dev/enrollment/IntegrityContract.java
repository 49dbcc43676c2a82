package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Integrity without the foreign key: user deletion, orphan audit and sweep, bulk enrollment. One fresh database per
 * test, since the orphan job walks the whole table. Small data and a small batch size, so batching is exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IntegrityContract {
    static final int BATCH = 7;

    TestDatabase db;
    Enrollments enrollments;
    final RecordingListener events = new RecordingListener();
    RecordingDataSource recorder;

    abstract TestDatabase.Kind kind();

    @BeforeEach
    void open() {
        db = TestDatabase.create(kind(), 4);
        recorder = new RecordingDataSource(db.dataSource());
        enrollments = Enrollments.builder().dataSource(recorder).batchSize(BATCH).listener(events).build();
        enrollments.migrate();
        events.take();
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        enrollments.close();
        db.close();
    }

    List<User> users(String prefix, int n) {
        List<User> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(enrollments.users().save(User.unsaved(prefix + i, "")));
        }
        return list;
    }

    static CourseKey course(int i) {
        return CourseKey.parse("course-v1:Int+Course+" + i);
    }

    // ---- delete ------------------------------------------------------------------------------------------------

    @Test
    void deletingAUserDeletesItsEnrollmentsInBatchesWithHistoryAndEventsThenTheUser() {
        enrollments.allowances().allow("doomed@example.com", course(99), false);
        User doomed = enrollments.users().save(User.unsaved("doomed", "doomed@example.com"));
        assertThat(enrollments.allowances().forEmail("doomed@example.com")).singleElement()
                .satisfies(a -> assertThat(a.user()).contains(doomed));
        User other = users("other", 1).get(0);
        for (int i = 0; i < 23; i++) {
            enrollments.enrollments().enroll(doomed, course(i), CourseMode.VERIFIED);
        }
        enrollments.enrollments().enroll(other, course(0), CourseMode.AUDIT);
        long otherRows = db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = "
                + other.id().getAsLong());
        events.take();
        recorder.clear();

        enrollments.users().delete(doomed);

        assertThat(enrollments.users().findById(doomed.id().getAsLong())).isEmpty();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = "
                + doomed.id().getAsLong())).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = "
                + other.id().getAsLong())).isEqualTo(otherRows);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '-' "
                + "AND user_id = " + doomed.id().getAsLong())).isEqualTo(23);
        assertThat(events.take()).hasSize(23).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(EnrollmentEvent.Type.DELETED);
            assertThat(e.after()).isEmpty();
            assertThat(e.before().orElseThrow().user()).isEqualTo(doomed);
        });
        List<RecordingDataSource.Executed> deletes = recorder.executed().stream()
                .filter(RecordingDataSource.Executed::isDelete).filter(x -> x.sql().contains("student_courseenrollment "))
                .collect(Collectors.toList());
        assertThat(deletes).hasSizeGreaterThanOrEqualTo(4);
        assertThat(deletes).allSatisfy(x -> assertThat(x.updateCount()).isLessThanOrEqualTo(BATCH));

        assertThat(enrollments.allowances().forEmail("doomed@example.com")).as("the allowance it used is gone")
                .isEmpty();
        enrollments.users().delete(doomed);   // idempotent: nothing left, nothing fails
        assertThatThrownBy(() -> enrollments.users().delete(User.unsaved("x", "")))
                .isInstanceOf(InvalidInputException.class);
    }

    // ---- orphans -----------------------------------------------------------------------------------------------

    /** Enrolls users in courses, then deletes some users behind the library's back; returns the orphans' ids. */
    Set<Long> makeOrphans(int users, int coursesEach, int deleteEvery) {
        List<User> all = users("u", users);
        Set<Long> orphanIds = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            for (int c = 0; c < coursesEach; c++) {
                Enrollment e = enrollments.enrollments().getOrCreate(all.get(i), course(c));
                if (i % deleteEvery == 0) {
                    orphanIds.add(e.id());
                }
            }
        }
        for (int i = 0; i < all.size(); i += deleteEvery) {
            db.execute("DELETE FROM auth_user WHERE id = " + all.get(i).id().getAsLong());
        }
        return orphanIds;
    }

    @Test
    void theAuditFindsEveryOrphanPerCourseInKeysetChunks() {
        Set<Long> orphanIds = makeOrphans(20, 3, 4);   // users 0, 4, 8, 12, 16 deleted: 15 orphans
        recorder.clear();

        OrphanReport report = enrollments.orphans().audit();

        assertThat(report.orphans()).isEqualTo(15);
        assertThat(report.scanned()).isEqualTo(60);
        assertThat(report.byCourse()).containsOnlyKeys(course(0), course(1), course(2))
                .allSatisfy((k, v) -> assertThat(v).isEqualTo(5L));
        assertThat(report.sample()).hasSize(15).extracting(OrphanedEnrollment::id)
                .containsExactlyInAnyOrderElementsOf(orphanIds).isSorted();
        List<String> reads = recorder.executed().stream().map(RecordingDataSource.Executed::sql)
                .filter(sql -> sql.toLowerCase().contains("from student_courseenrollment")).collect(Collectors.toList());
        // Every chunk is bounded (an id range of the batch size, or a LIMIT with a UserLookup): never OFFSET.
        assertThat(reads.stream().filter(sql -> !sql.toLowerCase().startsWith("select max("))
                .collect(Collectors.toList())).hasSizeGreaterThanOrEqualTo(60 / BATCH)
                .allSatisfy(sql -> assertThat(sql.toLowerCase()).contains("id >")
                        .containsAnyOf("limit", "fetch next", "id <=").doesNotContain("offset"));
    }

    @Test
    void theAuditJumpsGapsInTheIdsAndCountsRowsAfterThem() {
        Set<Long> orphanIds = makeOrphans(20, 3, 4);   // 15 orphans in 60 rows
        db.execute("INSERT INTO student_courseenrollment (id, user_id, course_id, created, is_active, mode) "
                + "VALUES (5000000, 987654321, 'course-v1:Int+Course+0', NULL, TRUE, 'audit')");
        recorder.clear();

        OrphanReport report = enrollments.orphans().audit();

        assertThat(report.orphans()).isEqualTo(16);
        assertThat(report.scanned()).isEqualTo(61);
        assertThat(report.byCourse()).containsEntry(course(0), 6L);
        assertThat(report.sample()).hasSize(16).last().satisfies(o -> assertThat(o.id()).isEqualTo(5000000L));
        assertThat(recorder.executed()).as("no walk over the empty ids").hasSizeLessThan(40);
        SweepResult dry = enrollments.orphans().sweep(SweepOptions.dryRun().batchSize(BATCH).pause(Duration.ZERO));
        assertThat(dry.found()).isEqualTo(16);
        assertThat(dry.scanned()).isEqualTo(61);
        assertThat(dry.lastId()).isEqualTo(5000000L);
        assertThat(dry.finished()).isTrue();
    }

    @Test
    void aDryRunDeletesNothingAndAStoppedSweepResumesExactlyWhereItStopped() {
        Set<Long> orphanIds = makeOrphans(30, 2, 3);     // users 0,3,...,27 deleted: 20 orphans
        long total = db.count("student_courseenrollment");

        SweepResult dry = enrollments.orphans().sweep(SweepOptions.dryRun().batchSize(BATCH).pause(Duration.ZERO));
        assertThat(dry.found()).isEqualTo(20);
        assertThat(dry.deleted()).isZero();
        assertThat(dry.finished()).isTrue();
        assertThat(db.count("student_courseenrollment")).isEqualTo(total);

        SweepResult first = enrollments.orphans().sweep(SweepOptions.delete().batchSize(BATCH).pause(Duration.ZERO)
                .maxRows(8));
        assertThat(first.deleted()).isEqualTo(8);
        assertThat(first.finished()).isFalse();
        assertThat(db.count("student_courseenrollment")).isEqualTo(total - 8);
        // Exactly the orphans up to the resume point are gone, and none after it.
        long remainingUpTo = orphanIds.stream().filter(id -> id <= first.lastId()).filter(id -> db.queryLong(
                "SELECT COUNT(*) FROM student_courseenrollment WHERE id = " + id) > 0).count();
        long goneAfter = orphanIds.stream().filter(id -> id > first.lastId()).filter(id -> db.queryLong(
                "SELECT COUNT(*) FROM student_courseenrollment WHERE id = " + id) == 0).count();
        assertThat(remainingUpTo).isZero();
        assertThat(goneAfter).isZero();

        SweepResult rest = enrollments.orphans().sweep(SweepOptions.delete().batchSize(BATCH)
                .pause(Duration.ofMillis(1)).resumeAfter(first.lastId()));
        assertThat(rest.deleted()).isEqualTo(12);
        assertThat(rest.finished()).isTrue();
        assertThat(first.scanned() + rest.scanned()).as("no row skipped or read twice").isEqualTo(total);
        assertThat(db.count("student_courseenrollment")).isEqualTo(total - 20);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment e WHERE NOT EXISTS "
                + "(SELECT 1 FROM auth_user u WHERE u.id = e.user_id)")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE history_type = '-'"))
                .isEqualTo(20);
        assertThat(events.take()).as("orphan deletions fire no events")
                .noneMatch(e -> e.type() == EnrollmentEvent.Type.DELETED);

        SweepResult again = enrollments.orphans().sweep(SweepOptions.delete().pause(Duration.ZERO));
        assertThat(again.deleted()).isZero();
        assertThat(again.found()).isZero();
        SweepResult nothing = enrollments.orphans().sweep(SweepOptions.delete().resumeAfter(Long.MAX_VALUE - 1));
        assertThat(nothing.lastId()).as("a sweep that handles nothing returns its resume point")
                .isEqualTo(Long.MAX_VALUE - 1);
        assertThat(nothing.scanned()).isZero();
    }

    @Test
    void aSweepNeverDeletesARowWhoseUserExistsAndAnExternalUserLookupIsUsed() {
        makeOrphans(10, 2, 2);
        long total = db.count("student_courseenrollment");
        // Users live elsewhere: this directory says every user exists.
        try (Enrollments external = Enrollments.builder().dataSource(db.dataSource()).batchSize(BATCH)
                .userLookup(ids -> Set.copyOf(ids)).build()) {
            assertThat(external.orphans().audit().orphans()).isZero();
            assertThat(external.orphans().sweep(SweepOptions.delete().pause(Duration.ZERO)).deleted()).isZero();
        }
        assertThat(db.count("student_courseenrollment")).isEqualTo(total);
        try (Enrollments broken = Enrollments.builder().dataSource(db.dataSource())
                .userLookup(ids -> {
                    throw new IllegalStateException("directory down");
                }).build()) {
            assertThatThrownBy(() -> broken.orphans().audit()).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("UserLookup threw");
        }
    }

    @Test
    void sweepOptionsAreValidated() {
        assertThatThrownBy(() -> SweepOptions.delete().batchSize(0)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("batchSize ");
        assertThatThrownBy(() -> SweepOptions.delete().maxRows(0)).hasMessageStartingWith("maxRows ");
        assertThatThrownBy(() -> SweepOptions.delete().resumeAfter(-1)).hasMessageStartingWith("resumeAfter ");
        assertThatThrownBy(() -> SweepOptions.delete().pause(Duration.ofMillis(-1))).hasMessageStartingWith("pause ");
        assertThatThrownBy(() -> enrollments.orphans().sweep(null)).isInstanceOf(InvalidInputException.class);
        assertThat(SweepOptions.dryRun().deletes()).isFalse();
        assertThatThrownBy(() -> Enrollments.builder().dataSource(db.dataSource()).batchSize(0).build())
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("batchSize ");
        assertThatThrownBy(() -> Enrollments.builder().dataSource(db.dataSource()).retryAttempts(11).build())
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("retryAttempts ");
    }

    // ---- bulk --------------------------------------------------------------------------------------------------

    @Test
    void enrollAllCreatesReactivatesAndLeavesActiveOnesAloneIdempotently() {
        CourseKey c = course(1);
        List<User> all = users("bulk", 30);
        enrollments.enrollments().getOrCreate(all.get(0), c);                         // inactive: reactivated
        enrollments.enrollments().getOrCreate(all.get(1), c);
        enrollments.enrollments().enroll(all.get(2), c, CourseMode.HONOR);           // active: left alone
        events.take();
        List<BulkResult> progress = new ArrayList<>();
        List<User> input = new ArrayList<>(all);
        input.add(all.get(5));        // a duplicate, in a later batch: by then already enrolled
        input.add(3, all.get(4));     // a duplicate within one batch: counted once

        BulkResult r = enrollments.enrollments().enrollAll(c, CourseMode.VERIFIED, input, progress::add);

        assertThat(r).isEqualTo(new BulkResult(27, 2, 2));
        assertThat(progress).hasSize((32 + BATCH - 1) / BATCH).last().isEqualTo(r);
        assertThat(enrollments.enrollments().countsByMode(c))
                .containsEntry(CourseMode.VERIFIED, 29L).containsEntry(CourseMode.HONOR, 1L);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = '" + c + "'"))
                .isEqualTo(30);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE course_id = '" + c
                + "' AND history_type = '+' AND is_active = TRUE AND mode = 'verified'")).isEqualTo(27);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history WHERE course_id = '" + c
                + "' AND history_type = '~'")).isEqualTo(2);
        List<EnrollmentEvent> heard = events.take();
        assertThat(heard.stream().filter(e -> e.type() == EnrollmentEvent.Type.CREATED)).hasSize(27);
        assertThat(heard.stream().filter(e -> e.type() == EnrollmentEvent.Type.ACTIVATED)).hasSize(2);

        BulkResult again = enrollments.enrollments().enrollAll(c, CourseMode.VERIFIED, all.stream());
        assertThat(again).isEqualTo(new BulkResult(0, 30, 0));
        assertThat(events.take()).isEmpty();
    }

    @Test
    void enrollAllRejectsUnsavedUsersAndNulls() {
        CourseKey c = course(2);
        List<User> mixed = new ArrayList<>(users("ok", 3));
        mixed.add(User.unsaved("nope", ""));
        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(c, CourseMode.AUDIT, mixed))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("users ");
        assertThat(db.count("student_courseenrollment")).as("the invalid user was in the first batch").isZero();
        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(null, CourseMode.AUDIT, List.of()))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(c, null, List.of()))
                .isInstanceOf(InvalidInputException.class);
        assertThat(enrollments.enrollments().enrollAll(c, CourseMode.AUDIT, List.of()))
                .isEqualTo(new BulkResult(0, 0, 0));
    }

    // ---- bulk: nothing but the expected duplicate is ever ignored ----------------------------------------------

    /** Makes student_courseenrollment.mode five characters wide: 'audit' fits, 'verified' does not. */
    private void narrowMode() {
        db.execute(kind() == TestDatabase.Kind.MARIADB
                ? "ALTER TABLE student_courseenrollment MODIFY mode VARCHAR(5) NOT NULL"
                : "ALTER TABLE student_courseenrollment ALTER COLUMN mode SET DATA TYPE VARCHAR(5)");
    }

    @Test
    void enrollAllRefusesATruncatedRowInsteadOfCountingItAndWritesNothingOfItsBatch() {
        CourseKey c = course(3);
        List<User> all = users("narrow", 10);
        for (int i = 0; i < 3; i++) {
            enrollments.enrollments().getOrCreate(all.get(i), c);   // 'audit': fits; duplicates in the first batch
        }
        narrowMode();
        events.take();

        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(c, CourseMode.VERIFIED, all))
                .isInstanceOf(DatabaseException.class)
                .satisfies(e -> {
                    if (kind() == TestDatabase.Kind.MARIADB) {
                        assertThat(e).hasMessageContaining("1265").hasMessageContaining("mode");
                    }
                });
        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(course(4), CourseMode.VERIFIED, all))
                .as("every row new").isInstanceOf(DatabaseException.class);

        assertThat(db.count("student_courseenrollment")).isEqualTo(3);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE is_active = TRUE")).isZero();
        assertThat(db.count("student_courseenrollment_history")).isEqualTo(3);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void enrollAllRefusesARowIgnoredByAnotherUniqueIndexAndWritesNothingOfItsBatch() {
        CourseKey c = course(5);
        List<User> all = users("unique", 10);
        db.execute("CREATE UNIQUE INDEX one_mode_per_course ON student_courseenrollment (course_id, mode)");
        events.take();

        assertThatThrownBy(() -> enrollments.enrollments().enrollAll(c, CourseMode.AUDIT, all))
                .isInstanceOf(DatabaseException.class)
                .satisfies(e -> {
                    if (kind() == TestDatabase.Kind.MARIADB) {
                        assertThat(e).hasMessageContaining("one_mode_per_course");
                    }
                });

        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(db.count("student_courseenrollment_history")).isZero();
        assertThat(events.take()).isEmpty();
    }

    @Test
    void enrollAllWritesDistinctVersion7HistoryIdsInTheColumnsForm() throws Exception {
        CourseKey c = course(6);
        List<User> all = users("v7", 40);
        enrollments.enrollments().enrollAll(c, CourseMode.HONOR, all);
        enrollments.enrollments().enrollAll(course(7), CourseMode.HONOR, all);
        List<String> ids = new ArrayList<>();
        String column = kind() == TestDatabase.Kind.POSTGRES ? "CAST(history_id AS VARCHAR)" : "history_id";
        try (var conn = db.dataSource().getConnection(); var st = conn.createStatement();
             var rs = st.executeQuery("SELECT " + column + " FROM student_courseenrollment_history")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        String shape = kind() == TestDatabase.Kind.POSTGRES
                ? "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
                : "[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}";
        assertThat(ids).hasSize(80).allMatch(id -> id.matches(shape), "a version-7 UUID, lower-case hex");
        assertThat(new HashSet<>(ids)).hasSize(80);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment_history h JOIN "
                + "student_courseenrollment e ON e.id = h.id AND e.user_id = h.user_id AND e.course_id = h.course_id "
                + "AND e.created = h.created AND e.mode = h.mode AND h.is_active = TRUE AND h.history_type = '+'"))
                .as("each history row holds its enrollment's values").isEqualTo(80);
    }
}
