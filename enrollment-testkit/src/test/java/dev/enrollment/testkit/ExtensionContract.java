package dev.enrollment.testkit;

import dev.enrollment.CourseKey;
import dev.enrollment.Enrollment;
import dev.enrollment.Enrollments;
import dev.enrollment.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every test gets from the extension, on each kind of database; subclasses register it on a static field.
 * Per-class instances so that {@link #everyDatabaseIsGoneAfterItsTest()} sees every test's database name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExtensionContract {
    private static final CourseKey DEMO = CourseKey.parse("course-v1:edX+DemoX+2026");

    private final List<String> databases = new CopyOnWriteArrayList<>();
    private Enrollments fromBeforeEach;

    abstract EnrollmentsExtension db();

    abstract boolean serverHas(String database);

    abstract Connection connect(String jdbcUrl) throws SQLException;

    @BeforeEach
    void remember(Enrollments enrollments) {
        fromBeforeEach = enrollments;
        databases.add(db().databaseName());
    }

    @RepeatedTest(3)
    void eachTestStartsWithItsOwnEmptyMigratedDatabase() throws SQLException {
        assertThat(count(db().dataSource(), "auth_user")).isZero();
        assertThat(count(db().dataSource(), "student_courseenrollment")).isZero();

        db().enrollments().enrollments().getOrCreate(User.unsaved("alice", "alice@example.com"), DEMO);

        assertThat(count(db().dataSource(), "auth_user")).isEqualTo(1);
    }

    @Test
    void theParameterIsTheTestsEnrollments(Enrollments enrollments) {
        assertThat(enrollments).isSameAs(db().enrollments()).isSameAs(fromBeforeEach);

        Enrollment e = enrollments.enrollments().getOrCreate(User.unsaved("bob", "bob@example.com"), DEMO);

        assertThat(e.user().isSaved()).isTrue();
        assertThat(enrollments.users().findByUsername("bob")).contains(e.user());
    }

    @Test
    void dataSourceAndJdbcUrlReachTheTestsDatabase() throws SQLException {
        db().enrollments().users().save(User.unsaved("carol", "carol@example.com"));

        assertThat(db().databaseName()).matches(EnrollmentsExtension.DATABASE_PREFIX + "[a-z0-9]+");
        assertThat(db().jdbcUrl()).contains(db().databaseName());
        assertThat(count(db().dataSource(), "auth_user")).isEqualTo(1);
        try (Connection c = connect(db().jdbcUrl())) {
            assertThat(count(c, "auth_user")).isEqualTo(1);
        }
    }

    @Test
    void theDatabaseExistsDuringTheTest() {
        assertThat(serverHas(db().databaseName())).isTrue();
    }

    @Test
    void aThreadStartedByTheTestSeesTheTestsDatabase() {
        Enrollments seen = CompletableFuture.supplyAsync(() -> db().enrollments()).join();

        assertThat(seen).isSameAs(db().enrollments());
    }

    @AfterAll
    void everyDatabaseIsGoneAfterItsTest() {
        if (databases.isEmpty() && !Servers.CI) {
            return;  // the server is unreachable and every test was skipped
        }
        assertThat(databases).hasSize(7).doesNotHaveDuplicates();
        assertThat(databases).noneMatch(this::serverHas);
    }

    static long count(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return count(c, table);
        }
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
