package dev.enrollment;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The foundation's behaviour, run against every database: subclasses name the kind. One database per class,
 * migrated once; tests that need an empty or unusual database make their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RepositoryContract {
    private static final AtomicInteger SEQ = new AtomicInteger();

    TestDatabase db;
    Enrollments enrollments;
    EnrollmentRepository repo;
    Users users;

    abstract TestDatabase.Kind kind();

    @BeforeAll
    void open() {
        db = TestDatabase.create(kind());
        enrollments = db.migrated();
        repo = enrollments.enrollments();
        users = enrollments.users();
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

    static String unique(String prefix) {
        return prefix + SEQ.incrementAndGet() + "_" + System.nanoTime() % 100000;
    }

    static CourseKey course(String run) {
        return CourseKey.parse("course-v1:edX+DemoX+" + run);
    }

    User saved(String prefix) {
        return users.save(User.unsaved(unique(prefix), prefix + "@example.com"));
    }

    // ---- getOrCreate ------------------------------------------------------------------------------------------

    @Test
    void getOrCreateMakesAnInactiveAuditRowWithCreatedSet() {
        User alice = saved("alice");
        CourseKey course = course(unique("r"));
        Instant before = Instant.now().minusSeconds(1);

        Enrollment e = repo.getOrCreate(alice, course);

        assertThat(e.id()).isPositive();
        assertThat(e.user()).isEqualTo(alice);
        assertThat(e.courseKey()).isEqualTo(course);
        assertThat(e.isActive()).isFalse();
        assertThat(e.mode()).isEqualTo(CourseMode.AUDIT);
        assertThat(e.created()).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(repo.find(alice, course)).contains(e);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE user_id = "
                + alice.id().getAsLong() + " AND course_id = '" + course + "' AND is_active = FALSE AND mode = 'audit'"))
                .isEqualTo(1);
    }

    @Test
    void getOrCreateReturnsAnExistingRowUnchanged() {
        User bob = saved("bob");
        CourseKey course = course(unique("r"));
        Enrollment first = repo.getOrCreate(bob, course);
        db.execute("UPDATE student_courseenrollment SET is_active = TRUE, mode = 'verified' WHERE id = " + first.id());
        long rows = db.count("student_courseenrollment");

        Enrollment again = repo.getOrCreate(bob, course);

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.isActive()).isTrue();
        assertThat(again.mode()).isEqualTo(CourseMode.VERIFIED);
        assertThat(again.created()).isEqualTo(first.created());
        assertThat(db.count("student_courseenrollment")).isEqualTo(rows);
    }

    @Test
    void getOrCreateInsertsAnUnsavedUserFirst() {
        String name = unique("carol");
        User unsaved = User.unsaved(name, "carol@example.com");
        long userRows = db.count("auth_user");
        long enrollmentRows = db.count("student_courseenrollment");

        Enrollment e = repo.getOrCreate(unsaved, course("2026"));

        assertThat(unsaved.isSaved()).isFalse();
        assertThat(e.user().isSaved()).isTrue();
        assertThat(e.user().username()).isEqualTo(name);
        assertThat(users.findByUsername(name)).contains(e.user());
        assertThat(users.findById(e.user().id().getAsLong())).contains(e.user());
        assertThat(db.count("auth_user")).isEqualTo(userRows + 1);
        assertThat(db.count("student_courseenrollment")).isEqualTo(enrollmentRows + 1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM auth_user WHERE id = " + e.user().id().getAsLong()
                + " AND password LIKE '!%' AND is_active = TRUE AND is_staff = FALSE AND is_superuser = FALSE"))
                .isEqualTo(1);
    }

    @Test
    void whenTheEnrollmentInsertFailsTheNewUserIsRolledBackToo() {
        // A real failure of the second insert, after the user insert succeeded in the same transaction.
        String constraint = "reject_" + unique("c");
        db.execute("ALTER TABLE student_courseenrollment ADD CONSTRAINT " + constraint
                + " CHECK (course_id <> 'course-v1:Boom+Fail+1')");
        try {
            String name = unique("dave");
            long userRows = db.count("auth_user");
            long enrollmentRows = db.count("student_courseenrollment");

            Throwable thrown = catchThrowable(() ->
                    repo.getOrCreate(User.unsaved(name, "dave@example.com"), CourseKey.parse("course-v1:Boom+Fail+1")));

            assertThat(thrown).isInstanceOf(DatabaseException.class);
            assertThat(((DatabaseException) thrown).operation()).isEqualTo("getOrCreate");
            assertThat(thrown.getCause()).isInstanceOf(SQLException.class);
            assertThat(users.findByUsername(name)).isEmpty();
            assertThat(db.count("auth_user")).isEqualTo(userRows);
            assertThat(db.count("student_courseenrollment")).isEqualTo(enrollmentRows);
        } finally {
            db.execute("ALTER TABLE student_courseenrollment DROP CONSTRAINT " + constraint);
        }
    }

    @Test
    void anUnsavedUserWhoseUsernameIsTakenIsNotAttachedToTheExistingAccount() {
        User existing = saved("erin");
        long userRows = db.count("auth_user");
        long enrollmentRows = db.count("student_courseenrollment");

        assertThatThrownBy(() -> repo.getOrCreate(User.unsaved(existing.username(), "impostor@example.com"),
                course("2026")))
                .isInstanceOf(UserAlreadyExistsException.class)
                .hasMessageContaining("username is taken")
                .satisfies(t -> assertThat(((UserAlreadyExistsException) t).username()).isEqualTo(existing.username()));
        assertThat(db.count("auth_user")).isEqualTo(userRows);
        assertThat(db.count("student_courseenrollment")).isEqualTo(enrollmentRows);
        assertThat(repo.find(existing, course("2026"))).isEmpty();
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @Test
    void badInputIsRejectedNamingFieldAndRuleAndWritesNothing() {
        User someone = saved("frank");
        CourseKey course = course("2026");
        Map<String, Executable> cases = new LinkedHashMap<>();
        cases.put("user", () -> repo.getOrCreate(null, course));
        cases.put("course", () -> repo.getOrCreate(someone, null));
        cases.put("username", () -> repo.getOrCreate(User.unsaved("", "x@example.com"), course));
        cases.put("username ", () -> repo.getOrCreate(User.unsaved("u".repeat(151), "x@example.com"), course));
        cases.put("username  ", () -> repo.getOrCreate(User.unsaved("has space", "x@example.com"), course));
        cases.put("username   ", () -> repo.getOrCreate(User.unsaved("quo'te", "x@example.com"), course));
        cases.put("username    ", () -> repo.getOrCreate(User.unsaved("'; DROP TABLE auth_user; --",
                "x@example.com"), course));
        cases.put("username     ", () -> repo.getOrCreate(User.unsaved(null, "x@example.com"), course));
        cases.put("email", () -> repo.getOrCreate(User.unsaved(unique("g"), "a".repeat(250) + "@b.cd"), course));
        cases.put("email ", () -> repo.getOrCreate(User.unsaved(unique("g"), "no-at-sign.example.com"), course));
        cases.put("email  ", () -> repo.getOrCreate(User.unsaved(unique("g"), null), course));
        cases.put("course ", () -> repo.getOrCreate(someone, CourseKey.parse("")));
        cases.put("course  ", () -> repo.getOrCreate(someone, CourseKey.parse("course-v1:" + "a".repeat(240)
                + "+b+" + "c".repeat(4))));
        cases.put("course   ", () -> repo.getOrCreate(someone, CourseKey.parse("course-v1:edX+DemoX")));
        cases.put("course    ", () -> repo.getOrCreate(someone, CourseKey.parse("course-v1:edX+Demo X+2026")));
        cases.put("course     ", () -> repo.getOrCreate(someone, CourseKey.parse("course-v1:edX+Demo'X+2026")));
        cases.put("course      ", () -> repo.getOrCreate(someone,
                CourseKey.parse("course-v1:edX+'; DROP TABLE auth_user; --+1")));
        cases.put("mode", () -> CourseMode.of("platinum"));
        cases.put("user ", () -> repo.find(User.unsaved(unique("h"), ""), course));
        cases.put("user  ", () -> repo.isEnrolled(null, course));
        cases.put("user   ", () -> users.save(null));
        cases.put("user    ", () -> users.save(someone));

        long userRows = db.count("auth_user");
        long enrollmentRows = db.count("student_courseenrollment");
        for (Map.Entry<String, Executable> c : cases.entrySet()) {
            String field = c.getKey().trim();
            Throwable thrown = catchThrowable(c.getValue()::execute);
            assertThat(thrown).as("case %s", c.getKey()).isInstanceOf(InvalidInputException.class);
            InvalidInputException e = (InvalidInputException) thrown;
            assertThat(e.field()).as("case %s", c.getKey()).isEqualTo(field);
            assertThat(e.getMessage()).as("case %s", c.getKey()).startsWith(field + " ").contains(e.rule());
            assertThat(e.rule()).as("case %s", c.getKey()).matches(".*(must|parts).*");
        }
        assertThat(db.count("auth_user")).isEqualTo(userRows);
        assertThat(db.count("student_courseenrollment")).isEqualTo(enrollmentRows);
    }

    @Test
    void validEdgeCasesPassAndRoundTrip() {
        String namePrefix = unique("x") + "@.+-_";
        String longName = namePrefix + "n".repeat(150 - namePrefix.length());
        assertThat(longName).hasSize(150);
        String keyPrefix = "course-v1:" + "O".repeat(80) + "+" + "C".repeat(80) + "+";
        String longKey = keyPrefix + "R".repeat(255 - keyPrefix.length());
        assertThat(longKey).hasSize(255);

        Enrollment e1 = repo.getOrCreate(User.unsaved(longName, "o'brien+tag@example.com"), CourseKey.parse(longKey));
        Enrollment e2 = repo.getOrCreate(e1.user(), CourseKey.parse("MITx/6.002x/2012_Fall"));

        assertThat(users.findByUsername(longName)).hasValueSatisfying(u -> {
            assertThat(u.username()).isEqualTo(longName);
            assertThat(u.email()).isEqualTo("o'brien+tag@example.com");
        });
        assertThat(repo.find(e1.user(), CourseKey.parse(longKey))).contains(e1);
        assertThat(repo.find(e1.user(), CourseKey.parse("MITx/6.002x/2012_Fall"))).contains(e2);
        assertThat(db.queryLong("SELECT COUNT(*) FROM student_courseenrollment WHERE course_id = 'MITx/6.002x/2012_Fall'"))
                .isEqualTo(1);
    }

    // ---- users -------------------------------------------------------------------------------------------------

    @Test
    void usersSaveAndFind() {
        String name = unique("grace");
        User grace = users.save(User.unsaved(name, "grace@example.com"));

        assertThat(grace.isSaved()).isTrue();
        assertThat(users.findById(grace.id().getAsLong())).contains(grace);
        assertThat(users.findByUsername(name)).contains(grace);
        assertThat(users.findByUsername(unique("nobody"))).isEmpty();
        assertThat(users.findById(Long.MAX_VALUE)).isEmpty();
        assertThatThrownBy(() -> users.save(User.unsaved(name, "other@example.com")))
                .isInstanceOf(UserAlreadyExistsException.class);
    }

    @Test
    void usersAreLoadedInBulkByIdOrUsername() {
        User a = saved("bulk_a");
        User b = saved("bulk_b");
        assertThat(users.findAllById(List.of(b.id().getAsLong(), a.id().getAsLong(), a.id().getAsLong(),
                Long.MAX_VALUE))).containsExactly(a, b);
        assertThat(users.findAllByUsername(List.of(b.username(), a.username(), "nobody_here"))).containsExactly(a, b);
        assertThat(users.findAllById(List.of())).isEmpty();
        assertThat(users.findAllByEmail(List.of("BULK_A@Example.com"))).contains(a).doesNotContain(b);
        assertThatThrownBy(() -> users.findAllByUsername(java.util.Arrays.asList("ok", null)))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("username ");
        assertThatThrownBy(() -> users.findAllById(null)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void isEnrolledCountsActiveEnrollmentsOnly() {
        User heidi = saved("heidi");
        CourseKey course = course(unique("r"));
        assertThat(repo.isEnrolled(heidi, course)).isFalse();
        Enrollment e = repo.getOrCreate(heidi, course);
        assertThat(repo.isEnrolled(heidi, course)).isFalse();
        db.execute("UPDATE student_courseenrollment SET is_active = TRUE WHERE id = " + e.id());
        assertThat(repo.isEnrolled(heidi, course)).isTrue();
        assertThat(repo.isEnrolled(heidi, course(unique("other")))).isFalse();
    }

    // ---- schema ------------------------------------------------------------------------------------------------

    @Test
    void noForeignKeyReferencesAuthUserAndTheUniqueKeyExists() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            List<String> fks = new ArrayList<>();
            try (ResultSet tables = md.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
                while (tables.next()) {
                    String table = tables.getString("TABLE_NAME");
                    try (ResultSet keys = md.getImportedKeys(c.getCatalog(), c.getSchema(), table)) {
                        while (keys.next()) {
                            fks.add(table + " -> " + keys.getString("PKTABLE_NAME"));
                        }
                    }
                }
            }
            assertThat(fks).noneMatch(fk -> fk.toLowerCase().endsWith("-> auth_user"));
            try (ResultSet exported = md.getExportedKeys(c.getCatalog(), c.getSchema(), db.identifier("auth_user"))) {
                assertThat(exported.next()).as("a key referencing auth_user").isFalse();
            }

            Map<String, Map<Integer, String>> uniqueIndexes = new TreeMap<>();
            try (ResultSet ix = md.getIndexInfo(c.getCatalog(), c.getSchema(),
                    db.identifier("student_courseenrollment"), true, false)) {
                while (ix.next()) {
                    if (ix.getString("INDEX_NAME") != null && ix.getString("COLUMN_NAME") != null) {
                        uniqueIndexes.computeIfAbsent(ix.getString("INDEX_NAME"), k -> new TreeMap<>())
                                .put((int) ix.getShort("ORDINAL_POSITION"), ix.getString("COLUMN_NAME").toLowerCase());
                    }
                }
            }
            assertThat(uniqueIndexes.values()).extracting(cols -> List.copyOf(cols.values()))
                    .contains(List.of("user_id", "course_id"));
        }
        if (kind() == TestDatabase.Kind.MARIADB) {
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
                    + "WHERE CONSTRAINT_SCHEMA = DATABASE()")).isZero();
        }
    }

    @Test
    void migrateTwiceIsANoOp() {
        long history = db.historyRows(null);
        long users = db.count("auth_user");

        enrollments.migrate();
        enrollments.migrate();

        assertThat(db.historyRows(null)).isEqualTo(history);
        assertThat(db.count("auth_user")).isEqualTo(users);
    }

    @Test
    void anUnmigratedDatabaseFailsAtTheFirstCallSayingToMigrate() {
        try (TestDatabase empty = TestDatabase.create(kind(), 2); Enrollments e = empty.enrollments()) {
            Throwable thrown = catchThrowable(() -> e.enrollments().getOrCreate(User.unsaved("ivan", ""), course("1")));
            assertThat(thrown).isInstanceOf(DatabaseException.class).hasMessageContaining("migrate()");
            assertThat(((DatabaseException) thrown).operation()).isEqualTo("getOrCreate");
            assertThatThrownBy(() -> e.users().findByUsername("ivan"))
                    .isInstanceOf(DatabaseException.class).hasMessageContaining("migrate()");

            e.migrate();
            assertThat(e.enrollments().getOrCreate(User.unsaved("ivan", ""), course("1")).user().username())
                    .isEqualTo("ivan");
        }
    }

    @Test
    void migrateLeavesAHostApplicationsTablesAndFlywayHistoryAlone() {
        try (TestDatabase host = TestDatabase.create(kind(), 2)) {
            host.execute("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(20))");
            host.execute("INSERT INTO orders VALUES (1, 'kept')");
            // The host's own Flyway history, as its Flyway would have left it.
            host.execute("CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50))");
            host.execute("INSERT INTO flyway_schema_history VALUES (1, '1')");

            try (Enrollments e = host.enrollments()) {
                e.migrate();
                Enrollment en = e.enrollments().getOrCreate(User.unsaved("judy", ""), course("1"));
                assertThat(en.id()).isPositive();
            }

            assertThat(host.queryLong("SELECT COUNT(*) FROM orders WHERE note = 'kept'")).isEqualTo(1);
            assertThat(host.count("flyway_schema_history")).isEqualTo(1);
            assertThat(host.historyRows("1"))
                    .isEqualTo(1);
        }
    }

    @Test
    void operationsAfterCloseFailAsDatabaseExceptionsNotPoolExceptions() {
        Enrollments owned = Enrollments.builder().jdbcUrl(db.url(), db.user(), db.password()).build();
        User u = owned.users().save(User.unsaved(unique("kim"), ""));
        owned.close();
        owned.close();
        assertThatThrownBy(() -> owned.enrollments().find(u, course("1")))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("find failed");
    }
}
