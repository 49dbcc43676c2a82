package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The library never reports a commit, or fires an event, for work the database did not commit; on MariaDB. */
class TruthfulTransactionsMariaDbTest {
    private TestDatabase db;
    private Enrollments enrollments;
    private final RecordingListener events = new RecordingListener();

    @BeforeEach
    void open() {
        db = TestDatabase.create(TestDatabase.Kind.MARIADB, 6);
        enrollments = Enrollments.builder().dataSource(db.dataSource()).listener(events).build();
        enrollments.migrate();
        db.execute("CREATE TABLE ballast (id INT PRIMARY KEY)");
    }

    @AfterEach
    void close() {
        enrollments.close();
        db.close();
    }

    /**
     * The README's pattern: enroll, then touch the user's last_login on tx.connection(). The test's own transaction
     * holds the user row and has written more, so when it then asks for the enrollment row InnoDB picks the
     * caller's UPDATE as the deadlock victim and rolls the whole transaction back, the enrollment included. The
     * caller catches the SQLException and returns normally: the library must not commit, fire CREATED or return.
     */
    @Test
    void aCallersStatementChosenAsDeadlockVictimRollsBackTheTransactionAndFiresNothing() throws Exception {
        User u = enrollments.users().save(User.unsaved("victim", "v@example.com"));
        CourseKey course = CourseKey.parse("course-v1:Dead+Lock+1");
        events.take();
        AtomicReference<SQLException> caught = new AtomicReference<>();
        CountDownLatch enrolled = new CountDownLatch(1);
        try (Connection other = db.dataSource().getConnection(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("INSERT INTO ballast SELECT seq FROM seq_1_to_300");   // the bigger transaction: not the victim
            s.execute("UPDATE auth_user SET last_login = NOW(6) WHERE id = " + u.id().getAsLong());

            CompletableFuture<Void> call = CompletableFuture.runAsync(() -> enrollments.transaction(tx -> {
                tx.enrollments().enroll(u, course, CourseMode.AUDIT);
                enrolled.countDown();
                try (PreparedStatement touch = tx.connection().prepareStatement(
                        "UPDATE auth_user SET last_login = NOW(6) WHERE id = ?")) {
                    touch.setLong(1, u.id().getAsLong());
                    touch.executeUpdate();   // waits for the test's lock, then is the deadlock victim
                } catch (SQLException e) {
                    caught.set(e);           // a Consumer cannot throw it: the caller carries on
                }
            }));
            assertThat(enrolled.await(10, TimeUnit.SECONDS)).isTrue();
            waitUntilWaiting("UPDATE auth_user SET last_login");
            s.executeQuery("SELECT id FROM student_courseenrollment WHERE user_id = " + u.id().getAsLong()
                    + " FOR UPDATE").close();
            other.commit();

            assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(DatabaseException.class)
                    .rootCause().isInstanceOf(SQLException.class);
            assertThat((Throwable) catchCause(call)).hasMessageContaining("rolled").hasMessageContaining("1213");
        }
        assertThat((Object) caught.get()).isNotNull();
        assertThat(caught.get().getErrorCode()).isEqualTo(1213);
        assertThat(events.take()).as("no event for a row that does not exist").isEmpty();
        assertThat(enrollments.enrollments().find(u, course)).isEmpty();
        assertThat(db.count("student_courseenrollment_history")).isZero();
    }

    private static Throwable catchCause(CompletableFuture<Void> call) {
        try {
            call.get(1, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return e.getCause();
        }
    }

    private void waitUntilWaiting(String statement) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            if (db.queryLong("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE '"
                    + statement + "%' AND ID <> CONNECTION_ID()") > 0) {
                Thread.sleep(100);
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the caller's statement never waited for the test's lock");
    }

    @Test
    void theCallersConnectionCannotEndTheLibrarysTransaction() {
        User u = enrollments.users().save(User.unsaved("owner", ""));
        CourseKey course = CourseKey.parse("course-v1:Own+Er+1");
        enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, course, CourseMode.AUDIT);
            Connection c = tx.connection();
            assertThatThrownBy(c::commit).isInstanceOf(SQLException.class).hasMessageContaining("not allowed");
            assertThatThrownBy(c::rollback).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.setAutoCommit(true)).isInstanceOf(SQLException.class);
            assertThatThrownBy(c::close).isInstanceOf(SQLException.class);
        });
        assertThat(enrollments.enrollments().isEnrolled(u, course)).isTrue();
    }

    @Test
    void aTopLevelRepositoryInsideATransactionOnTheSameThreadIsRefusedAtOnce() throws Exception {
        User u = enrollments.users().save(User.unsaved("nested", ""));
        CourseKey course = CourseKey.parse("course-v1:Nest+Ed+1");
        long t0 = System.nanoTime();
        enrollments.transaction(tx -> {
            tx.enrollments().enroll(u, course, CourseMode.AUDIT);   // holds the row's lock
            assertThatThrownBy(() -> enrollments.enrollments().enroll(u, course, CourseMode.HONOR))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("use the Transaction's");
            assertThatThrownBy(() -> enrollments.users().findById(u.id().getAsLong()))
                    .isInstanceOf(InvalidInputException.class);
        });
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(5);
        assertThat(enrollments.enrollments().find(u, course).orElseThrow().mode()).isEqualTo(CourseMode.AUDIT);
        // other threads are not refused: they wait for the lock like any other writer
        CompletableFuture<Enrollment> elsewhere = CompletableFuture.supplyAsync(
                () -> enrollments.enrollments().enroll(u, course, CourseMode.HONOR));
        assertThat(elsewhere.get(30, TimeUnit.SECONDS).mode()).isEqualTo(CourseMode.HONOR);
    }
}
