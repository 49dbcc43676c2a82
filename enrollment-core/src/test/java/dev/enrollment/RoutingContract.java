package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/SCALING.md promises a sharded deployment (Vitess, by user_id): every statement that a repository method
 * taking a {@code User} sends names {@code user_id} in its WHERE clause or its VALUES, so a router sends it to the
 * one shard that holds the user. The SQL is captured at the JDBC level ({@link RecordingDataSource}), which also
 * sees the statements rendered once and run as plain prepared statements.
 */
abstract class RoutingContract {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:Shard+Route+2026");
    private static final CourseKey OTHER = CourseKey.parse("course-v1:Shard+Other+2026");
    /** The tables sharded by user_id. */
    private static final Pattern ENROLLMENT_TABLES = Pattern.compile(
            "\\b(student_courseenrollment|" + GaleraCluster.HISTORY_TABLE + ")\\b");
    private static final Pattern USER_ID_CONDITION = Pattern.compile("\\buser_id\\s*(=|in\\s*\\()");

    private TestDatabase db;
    private RecordingDataSource recorder;
    private Enrollments enrollments;

    abstract TestDatabase.Kind kind();

    @BeforeEach
    void open() {
        db = TestDatabase.create(kind(), 4);
        db.migrated().close();
        recorder = new RecordingDataSource(db.dataSource());
        enrollments = Enrollments.builder().dataSource(recorder).build();
    }

    @AfterEach
    void close() {
        enrollments.close();
        db.close();
    }

    @Test
    void everyStatementOfAMethodTakingAUserNamesUserIdSoItRoutesToOneShard() {
        Users users = enrollments.users();
        EnrollmentRepository repo = enrollments.enrollments();
        User alice = users.save(User.unsaved("alice", "alice@example.com"));
        User bob = users.save(User.unsaved("bob", ""));
        User carol = users.save(User.unsaved("carol", ""));
        User dave = users.save(User.unsaved("dave", ""));
        Map<String, List<String>> byCall = new LinkedHashMap<>();

        byCall.put("getOrCreate (new row)", capture(() -> repo.getOrCreate(alice, COURSE)));
        byCall.put("getOrCreate (existing row)", capture(() -> repo.getOrCreate(alice, COURSE)));
        byCall.put("enroll (activates)", capture(() -> repo.enroll(alice, COURSE, CourseMode.VERIFIED)));
        byCall.put("enroll (changes the mode)", capture(() -> repo.enroll(alice, COURSE, CourseMode.HONOR)));
        byCall.put("enroll (no change)", capture(() -> repo.enroll(alice, COURSE, CourseMode.HONOR)));
        byCall.put("enroll (new row)", capture(() -> repo.enroll(bob, COURSE, CourseMode.AUDIT)));
        byCall.put("changeMode", capture(() -> repo.changeMode(alice, COURSE, CourseMode.VERIFIED)));
        byCall.put("unenroll", capture(() -> repo.unenroll(bob, COURSE)));
        byCall.put("find", capture(() -> repo.find(alice, COURSE)));
        byCall.put("isEnrolled", capture(() -> repo.isEnrolled(alice, COURSE)));
        byCall.put("forUser", capture(() -> repo.forUser(alice)));
        repo.getOrCreate(carol, OTHER);
        byCall.put("enrollAll (new, inactive and active rows)", capture(() ->
                repo.enrollAll(OTHER, CourseMode.AUDIT, List.of(alice, bob, carol, dave))));
        byCall.put("changedBy(actor, reason).enroll", capture(() ->
                repo.changedBy(dave, "support ticket").enroll(bob, OTHER, CourseMode.HONOR)));
        byCall.put("Users.delete: the enrollment part", capture(() -> users.delete(dave)).stream()
                .filter(sql -> ENROLLMENT_TABLES.matcher(normalise(sql)).find()).collect(Collectors.toList()));

        List<String> unrouted = new ArrayList<>();
        byCall.forEach((call, statements) -> {
            assertThat(statements).as("%s sends statements", call)
                    .isNotEmpty();
            for (String sql : statements) {
                if (!namesUserId(sql)) {
                    unrouted.add(call + ": " + sql);
                }
            }
        });
        assertThat(unrouted).as("statements that would scatter over every shard").isEmpty();
    }

    @Test
    void theCheckRefusesAStatementKeyedByTheEnrollmentIdAlone() {
        assertThat(namesUserId("UPDATE student_courseenrollment SET is_active = ? WHERE id = ?")).isFalse();
        assertThat(namesUserId("SELECT id FROM student_courseenrollment WHERE course_id = ? AND user_id > ?"))
                .isFalse();
        assertThat(namesUserId("INSERT INTO student_courseenrollment (course_id, mode) VALUES (?, ?)")).isFalse();
        assertThat(namesUserId("update student_courseenrollment set mode = ? where (id = ? and user_id = ?)"))
                .isTrue();
        assertThat(namesUserId("insert into student_courseenrollment (course_id, user_id) values (?, ?)")).isTrue();
        assertThat(namesUserId("insert ignore into student_courseenrollment (course_id, user_id) values (?, ?)"))
                .isTrue();
    }

    private List<String> capture(Runnable call) {
        recorder.clear();
        call.run();
        return recorder.executed().stream().map(RecordingDataSource.Executed::sql)
                .filter(sql -> !isTransactionControl(sql)).collect(Collectors.toList());
    }

    private static boolean isTransactionControl(String sql) {
        String s = normalise(sql);
        return s.startsWith("commit") || s.startsWith("rollback") || s.startsWith("set ") || s.startsWith("begin")
                || s.startsWith("start transaction") || s.startsWith("savepoint") || s.startsWith("release");
    }

    /** Whether the statement constrains user_id by equality or IN in its WHERE clause, or inserts a user_id. */
    static boolean namesUserId(String sql) {
        String s = normalise(sql);
        // An insert, also inside H2's "select id from final table (insert ...)": its column list names user_id.
        Matcher insert = Pattern.compile("\\b(insert|merge)( ignore)? into [a-z_.]+\\s*\\(([^)]*)\\)").matcher(s);
        if (insert.find()) {
            return Pattern.compile("\\buser_id\\b").matcher(insert.group(3)).find();
        }
        int where = s.indexOf(" where ");
        return where >= 0 && USER_ID_CONDITION.matcher(s.substring(where)).find();
    }

    private static String normalise(String sql) {
        return sql.toLowerCase(Locale.ROOT).replace("`", "").replace("\"", "").replaceAll("\\s+", " ").trim();
    }
}
