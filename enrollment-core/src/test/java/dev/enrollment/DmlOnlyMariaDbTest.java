package dev.enrollment;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The runtime needs DML rights only: an account with SELECT, INSERT, UPDATE and DELETE on the test database does
 * everything but {@code migrate()}, which runs through a separate DDL account; and {@code migrate()} on the DML
 * account alone fails saying that the account lacks DDL rights. The account is created for each test with a
 * unique name and dropped afterwards.
 */
class DmlOnlyMariaDbTest {
    private static final CourseKey DEMO = CourseKey.parse("course-v1:edX+DemoX+2026");
    private static final CourseKey CS50 = CourseKey.parse("course-v1:HarvardX+CS50+2026_T1");

    private TestDatabase db;
    private String account;
    private HikariDataSource dml;

    @BeforeEach
    void createDmlAccount() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB);
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        account = "enr_dml_" + suffix;
        String password = UUID.randomUUID().toString().replace("-", "");
        // Generated names only, checked before they reach DDL.
        assertThat(account + password + db.name()).matches("[a-z0-9_]+");
        TestDatabase.admin(TestDatabase.Kind.MARIADB,
                "CREATE USER '" + account + "'@'%' IDENTIFIED BY '" + password + "'");
        TestDatabase.admin(TestDatabase.Kind.MARIADB,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + db.name() + ".* TO '" + account + "'@'%'");
        HikariConfig config = new HikariConfig();
        config.setPoolName("dml-" + suffix);
        config.setJdbcUrl(db.url());
        config.setUsername(account);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        dml = new HikariDataSource(config);
    }

    @AfterEach
    void dropDmlAccount() {
        try {
            if (dml != null) {
                dml.close();
            }
            if (account != null) {
                TestDatabase.admin(TestDatabase.Kind.MARIADB, "DROP USER IF EXISTS '" + account + "'@'%'");
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    @Test
    void theAccountReallyHasNoDdlRights() {
        try (Connection c = dml.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE probe (id INT)");
            throw new AssertionError("the DML account could create a table");
        } catch (SQLException e) {
            assertThat(e.getErrorCode()).as(e.getMessage()).isEqualTo(1142);  // ER_TABLEACCESS_DENIED_ERROR
        }
    }

    @Test
    void everyOperationWorksWithDmlRightsWhenMigrateRunsThroughTheDdlAccount() {
        try (Enrollments enrollments = Enrollments.builder()
                .dataSource(dml).migrationDataSource(db.dataSource()).build()) {
            enrollments.migrate();
            Users users = enrollments.users();
            EnrollmentRepository repo = enrollments.enrollments();

            User alice = users.save(User.unsaved("alice", "alice@example.com"));
            assertThat(users.findById(alice.id().getAsLong())).contains(alice);
            assertThat(users.findByUsername("alice")).contains(alice);

            Enrollment saved = repo.getOrCreate(alice, DEMO);
            assertThat(saved.user()).isEqualTo(alice);
            assertThat(saved.isActive()).isFalse();
            assertThat(repo.getOrCreate(alice, DEMO)).isEqualTo(saved);

            Enrollment unsaved = repo.getOrCreate(User.unsaved("bob", "bob@example.com"), CS50);
            assertThat(unsaved.user().isSaved()).isTrue();
            assertThat(users.findByUsername("bob")).contains(unsaved.user());

            assertThat(repo.find(alice, DEMO)).contains(saved);
            assertThat(repo.find(alice, CS50)).isEmpty();
            assertThat(repo.isEnrolled(alice, DEMO)).isFalse();  // getOrCreate makes inactive rows
            assertThat(catchThrowableOfType(UserAlreadyExistsException.class,
                    () -> users.save(User.unsaved("alice", "other@example.com")))).isNotNull();

            assertThat(db.count("auth_user")).isEqualTo(2);
            assertThat(db.count("student_courseenrollment")).isEqualTo(2);

            // The lifecycle, history, transactions, streams and allowances.
            assertThat(repo.enroll(alice, DEMO, CourseMode.VERIFIED).isActive()).isTrue();
            assertThat(repo.changeMode(alice, DEMO, CourseMode.HONOR).mode()).isEqualTo(CourseMode.HONOR);
            assertThat(repo.changedBy(alice, "dml").unenroll(alice, DEMO).isActive()).isFalse();
            assertThat(repo.forUser(alice)).hasSize(1);
            try (java.util.stream.Stream<Enrollment> s = repo.forCourse(DEMO)) {
                assertThat(s.count()).isEqualTo(1);
            }
            try (java.util.stream.Stream<User> s = repo.usersInCourse(DEMO, CourseFilter.includingInactive())) {
                assertThat(s.count()).isEqualTo(1);
            }
            assertThat(repo.countsByMode(CS50)).as("bob's row is inactive").isEmpty();
            enrollments.transaction(tx -> tx.enrollments().enroll(unsaved.user(), DEMO, CourseMode.AUDIT));
            enrollments.allowances().allow("carol@example.com", CS50, true);
            User carol = users.save(User.unsaved("carol", "carol@example.com"));
            assertThat(repo.isEnrolled(carol, CS50)).isTrue();
            assertThat(enrollments.allowances().forEmail("carol@example.com")).hasSize(1);

            // Bulk, users in bulk, deletion, orphans.
            assertThat(users.findAllById(java.util.List.of(alice.id().getAsLong(), carol.id().getAsLong())))
                    .containsExactly(alice, carol);
            assertThat(users.findAllByUsername(java.util.List.of("bob"))).containsExactly(unsaved.user());
            assertThat(users.findAllByEmail(java.util.List.of("ALICE@example.com"))).containsExactly(alice);
            assertThat(repo.enrollAll(CS50, CourseMode.VERIFIED, java.util.List.of(alice, unsaved.user(), carol)))
                    .isEqualTo(new BulkResult(1, 1, 1));   // alice new, bob inactive, carol auto-enrolled
            users.delete(carol);
            assertThat(users.findById(carol.id().getAsLong())).isEmpty();
            db.execute("DELETE FROM auth_user WHERE username = 'bob'");   // another service deletes a user
            assertThat(enrollments.orphans().audit().orphans()).isEqualTo(2);   // bob's CS50 and DEMO
            assertThat(enrollments.orphans().sweep(SweepOptions.delete().pause(java.time.Duration.ZERO)).deleted())
                    .isEqualTo(2);
            assertThat(db.count("student_courseenrollment_history")).isPositive();
        }
    }

    @Test
    void migrateOnTheDmlAccountAloneFailsSayingItLacksDdlRights() {
        try (Enrollments enrollments = Enrollments.builder().dataSource(dml).build()) {
            EnrollmentException e = catchThrowableOfType(EnrollmentException.class, enrollments::migrate);

            assertThat(e).isInstanceOf(DatabaseException.class);
            assertThat(e.getMessage()).contains("the account lacks the rights to create or alter tables")
                    .contains("migrationDataSource");
            assertThat(((DatabaseException) e).errorCode()).isEqualTo(1142);
            assertThat(db.queryLong("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '"
                    + db.name() + "'")).as("tables created").isZero();
        }
    }

}
