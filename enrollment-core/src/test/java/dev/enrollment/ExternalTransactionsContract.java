package dev.enrollment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calls inside a transaction that the {@link ExternalTransactions} hook reports join it; per database. */
abstract class ExternalTransactionsContract {
    private static final CourseKey COURSE = CourseKey.parse("course-v1:edX+Joined+2026");
    private static final CourseKey OTHER = CourseKey.parse("course-v1:edX+Other+2026");

    private TestDatabase db;
    private FailingDataSource dataSource;
    private FakeTransactions transactions;
    private RecordingListener listener;
    private Enrollments enrollments;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create(kind());
        db.migrated().close();
        dataSource = new FailingDataSource(db.dataSource());
        transactions = new FakeTransactions(dataSource);
        listener = new RecordingListener();
        enrollments = Enrollments.builder().dataSource(dataSource).externalTransactions(transactions)
                .listener(listener).build();
    }

    abstract TestDatabase.Kind kind();

    @AfterEach
    void tearDown() {
        enrollments.close();
        db.close();
    }

    @Test
    void joinedWorkCommitsOnlyWithTheExternalTransactionAndEventsFollowItsCommit() throws SQLException {
        transactions.begin();
        Enrollment e = enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("ann", "ann@example.com")), COURSE,
                CourseMode.VERIFIED);
        assertThat(enrollments.enrollments().isEnrolled(e.user(), COURSE)).as("its own reads see it").isTrue();

        assertThat(db.count("student_courseenrollment")).as("not committed by the library").isZero();
        assertThat(db.count("auth_user")).isZero();
        assertThat(listener.events()).as("nothing fires before the commit").isEmpty();

        transactions.commit();
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
        assertThat(db.count("auth_user")).isEqualTo(1);
        assertThat(listener.events()).extracting(EnrollmentEvent::type).containsExactly(EnrollmentEvent.Type.CREATED);
        assertThat(transactions.releases).as("every call gave its connection back").isEqualTo(transactions.joins);
    }

    @Test
    void joinedWorkRollsBackWithTheExternalTransactionAndFiresNothing() throws SQLException {
        transactions.begin();
        User bob = enrollments.users().save(User.unsaved("bob", "bob@example.com"));
        enrollments.enrollments().enroll(bob, COURSE, CourseMode.AUDIT);
        enrollments.enrollments().changeMode(bob, COURSE, CourseMode.HONOR);
        transactions.rollback();

        assertThat(db.count("auth_user")).isZero();
        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(listener.events()).isEmpty();
    }

    @Test
    void outsideAnExternalTransactionCallsCommitAtOnceAsBefore() {
        enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("cat", "cat@example.com")), COURSE, CourseMode.AUDIT);
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
        assertThat(listener.events()).hasSize(1);
        assertThat(transactions.joins).isZero();
    }

    @Test
    void aDeadlockInsideAJoinedTransactionIsNotRetriedAndMarksItRollbackOnly() throws SQLException {
        User dan = enrollments.users().save(User.unsaved("dan", "dan@example.com"));
        FakeTransactions.Tx tx = transactions.begin();
        dataSource.failNext.set(true);
        int before = dataSource.prepared.get();
        assertThatThrownBy(() -> enrollments.enrollments().enroll(dan, COURSE, CourseMode.AUDIT))
                .isInstanceOf(DatabaseException.class);
        assertThat(dataSource.prepared.get() - before).as("one attempt, no retry").isEqualTo(1);
        assertThat(tx.rollbackOnly).as("the transaction may not commit").isInstanceOf(DatabaseException.class)
                .hasMessageContaining("rolled back").hasMessageContaining("deadlock");
        assertThatThrownBy(transactions::commit).isSameAs(tx.rollbackOnly);
        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(listener.events()).isEmpty();
    }

    @Test
    void theSameDeadlockOutsideIsRetried() {
        User eve = enrollments.users().save(User.unsaved("eve", "eve@example.com"));
        dataSource.failNext.set(true);
        enrollments.enrollments().enroll(eve, COURSE, CourseMode.AUDIT);
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
    }

    @Test
    void transactionInsideAJoinedTransactionRollsBackOnlyItsOwnWorkWhenItThrows() throws SQLException {
        transactions.begin();
        User fay = enrollments.users().save(User.unsaved("fay", "fay@example.com"));
        enrollments.enrollments().enroll(fay, COURSE, CourseMode.AUDIT);
        IllegalStateException declined = new IllegalStateException("declined");
        assertThatThrownBy(() -> enrollments.transaction(tx -> {
            tx.enrollments().enroll(fay, OTHER, CourseMode.VERIFIED);
            throw declined;
        })).isSameAs(declined);
        enrollments.transaction(tx -> assertThat(tx.enrollments().find(fay, OTHER)).isEmpty());
        transactions.commit();

        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
        assertThat(listener.events()).extracting(e -> e.after().orElseThrow().courseKey()).containsExactly(COURSE);
    }

    @Test
    void transactionInsideAJoinedTransactionCommitsWithIt() throws SQLException {
        transactions.begin();
        enrollments.transaction(tx -> tx.enrollments().enroll(tx.users().save(User.unsaved("gus", "gus@example.com")), COURSE,
                CourseMode.AUDIT));
        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(listener.events()).isEmpty();
        transactions.commit();
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
        assertThat(listener.events()).hasSize(1);
    }

    @Test
    void aStreamInsideAJoinedTransactionReadsItsRowsAndEndsWithIt() throws SQLException {
        transactions.begin();
        enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("hal", "hal@example.com")), COURSE,
                CourseMode.AUDIT);
        enrollments.enrollments().enroll(enrollments.users().save(User.unsaved("ida", "ida@example.com")), COURSE,
                CourseMode.AUDIT);
        try (Stream<Enrollment> s = enrollments.enrollments().forCourse(COURSE)) {
            assertThat(s.map(e -> e.user().username()).collect(Collectors.toList())).as("uncommitted rows too")
                    .containsExactlyInAnyOrder("hal", "ida");
        }
        Iterator<Enrollment> open = enrollments.enrollments().forCourse(COURSE).iterator();
        assertThat(open.hasNext()).isTrue();
        open.next();
        transactions.commit();   // with the stream still open: MySQL could not commit past its result set
        assertThatThrownBy(open::hasNext).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("transaction");
        assertThat(transactions.releases).isEqualTo(transactions.joins);
        assertThat(db.count("student_courseenrollment")).isEqualTo(2);
    }

    @Test
    void aTakenUsernameInsideAJoinedTransactionLeavesItFreeToCommit() throws SQLException {
        enrollments.users().save(User.unsaved("lea", "lea@example.com"));
        FakeTransactions.Tx tx = transactions.begin();
        User mia = enrollments.users().save(User.unsaved("mia", "mia@example.com"));
        // Refused before anything failed in the database (PostgreSQL: ON CONFLICT DO NOTHING; MySQL/H2: a failed
        // statement that rolls back alone): the service may catch it and carry on with its transaction.
        assertThatThrownBy(() -> enrollments.users().save(User.unsaved("lea", "other@example.com")))
                .isInstanceOf(UserAlreadyExistsException.class);
        enrollments.enrollments().enroll(mia, COURSE, CourseMode.AUDIT);

        assertThat(tx.rollbackOnly).as("not marked rollback-only").isNull();
        transactions.commit();
        assertThat(db.count("auth_user")).isEqualTo(2);
        assertThat(db.count("student_courseenrollment")).isEqualTo(1);
    }

    @Test
    void aStreamWhoseCloserCannotBeRegisteredClosesItsCursorAtOnce() throws SQLException {
        User kim = enrollments.users().save(User.unsaved("kim", "kim@example.com"));
        enrollments.enrollments().enroll(kim, COURSE, CourseMode.AUDIT);
        FakeTransactions.Tx tx = transactions.begin();
        transactions.refuseBeforeCompletion = new IllegalStateException("no transaction synchronization active");

        assertThatThrownBy(() -> enrollments.enrollments().forCourse(COURSE))
                .isInstanceOf(EnrollmentException.class).hasMessageContaining("forCourse");

        transactions.refuseBeforeCompletion = null;
        // The cursor is closed: the transaction's connection takes the next statement (MySQL refuses any statement
        // while a streaming result set is open on the connection).
        assertThat(enrollments.enrollments().find(kim, COURSE)).isPresent();
        assertThat(transactions.releases).as("every call gave its connection back").isEqualTo(transactions.joins);
        assertThatThrownBy(transactions::commit).as("the failed call keeps it from committing")
                .isSameAs(tx.rollbackOnly);
    }

    @Test
    void aCallerCaughtFailureInsideAJoinedTransactionStillKeepsItFromCommitting() throws SQLException {
        User jon = enrollments.users().save(User.unsaved("jon", "jon@example.com"));
        FakeTransactions.Tx tx = transactions.begin();
        enrollments.enrollments().enroll(jon, OTHER, CourseMode.AUDIT);
        dataSource.failNext.set(true);
        try {
            enrollments.enrollments().enroll(jon, COURSE, CourseMode.AUDIT);
        } catch (DatabaseException caught) {
            // the service carries on
        }
        assertThatThrownBy(transactions::commit).isSameAs(tx.rollbackOnly);
        assertThat(db.count("student_courseenrollment")).isZero();
        assertThat(listener.events()).isEmpty();
    }

    /** Fails the next statement prepared, when asked, as a deadlock victim (MySQL 1213, SQLState 40001). */
    static final class FailingDataSource extends DelegatingDataSource {
        final AtomicBoolean failNext = new AtomicBoolean();
        final AtomicInteger prepared = new AtomicInteger();
        FailingDataSource(DataSource delegate) {
            super(delegate);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().startsWith("prepare") || method.getName().equals("createStatement")) {
                            prepared.incrementAndGet();
                            if (failNext.compareAndSet(true, false)) {
                                throw new SQLException("Deadlock found when trying to get lock", "40001", 1213);
                            }
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

}
