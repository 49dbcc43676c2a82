package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import org.jooq.DSLContext;
import org.jooq.Record4;
import org.jooq.SelectConditionStep;
import org.jooq.exception.DataAccessException;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/** {@link EnrollmentRepository} on {@code student_courseenrollment}. */
public final class EnrollmentStore implements EnrollmentRepository {
    private static final dev.enrollment.schema.tables.StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    /** Insert-then-read rounds before giving up when a row keeps vanishing under a concurrent delete. */
    private static final int MAX_ROUNDS = 3;

    private final Database db;

    /**
     * Creates the store.
     *
     * @param db the database runner
     */
    public EnrollmentStore(Database db) {
        this.db = db;
    }

    @Override
    public Enrollment getOrCreate(User user, CourseKey course) {
        Checks.notNull(user, "user");
        Checks.notNull(course, "course");
        if (!user.isSaved()) {
            // Rule 2: the user row and its enrollment commit together or not at all.
            return db.transaction("getOrCreate", true, dsl -> {
                User saved = UserStore.insert(db, dsl, user);
                return getOrCreateRow(dsl, saved, course, true);
            });
        }
        // A saved user is trusted (rule 5): no existence check. Each statement commits on its own; the read first,
        // since most calls find the row, then insert-ignore and read again (rule 3: never select-then-insert alone).
        return db.autocommit("getOrCreate", true, dsl -> {
            Optional<Enrollment> existing = select(dsl, user, course, false);
            return existing.isPresent() ? existing.get() : getOrCreateRow(dsl, user, course, false);
        });
    }

    @Override
    public Optional<Enrollment> find(User user, CourseKey course) {
        Checks.savedUserId(user);
        Checks.notNull(course, "course");
        return db.autocommit("find", true, dsl -> select(dsl, user, course, false));
    }

    @Override
    public boolean isEnrolled(User user, CourseKey course) {
        long userId = Checks.savedUserId(user);
        Checks.notNull(course, "course");
        return db.autocommit("isEnrolled", true, dsl -> dsl.fetchExists(
                dsl.selectOne().from(E).where(E.USER_ID.eq(userId)
                        .and(E.COURSE_ID.eq(course.toString()))
                        .and(E.IS_ACTIVE.isTrue()))));
    }

    /**
     * Inserts the row unless it exists, then returns it. Never fails on a duplicate key.
     *
     * @param inTransaction whether the connection is in a transaction, so the re-read must see the latest committed
     *                      row rather than the transaction's snapshot
     */
    private Enrollment getOrCreateRow(DSLContext dsl, User user, CourseKey course, boolean inTransaction) {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Long id = insertIgnore(dsl, user.id().getAsLong(), course, now);
            if (id != null) {
                return Values.factory().enrollment(id, user, course, CourseMode.AUDIT, false, now);
            }
            Optional<Enrollment> existing = select(dsl, user, course, inTransaction);
            if (existing.isPresent()) {
                return existing.get();
            }
            // The row that blocked the insert was deleted before we could read it: insert again.
        }
        throw new DatabaseException("getOrCreate", MAX_ROUNDS, "getOrCreate failed: the enrollment row was deleted "
                + "by another writer each time it was read, " + MAX_ROUNDS + " times", null);
    }

    /** Returns the new row's id, or null when a row for (user, course) exists already. */
    private Long insertIgnore(DSLContext dsl, long userId, CourseKey course, Instant now) {
        var insert = dsl.insertInto(E)
                .set(E.COURSE_ID, course.toString())
                .set(E.CREATED, db.timestamp(now))
                .set(E.IS_ACTIVE, false)
                .set(E.MODE, CourseMode.AUDIT.slug())
                .set(E.USER_ID, userId);
        switch (db.dialect()) {
            case MYSQL:
            case MARIADB:
            case POSTGRES:
                // INSERT IGNORE / ON CONFLICT DO NOTHING: an existing row is not an error, and no id comes back.
                return insert.onConflict(E.USER_ID, E.COURSE_ID).doNothing()
                        .returningResult(E.ID).fetchOptional(r -> r.value1()).orElse(null);
            default:
                // H2 has no insert-ignore that is safe under concurrency; a failed statement leaves the
                // transaction usable, so insert and treat the unique violation as "exists".
                try {
                    return insert.returningResult(E.ID).fetchOne(r -> r.value1());
                } catch (DataAccessException e) {
                    if (Failures.isUniqueViolation(e)) {
                        return null;
                    }
                    throw e;
                }
        }
    }

    private Optional<Enrollment> select(DSLContext dsl, User user, CourseKey course, boolean latestCommitted) {
        SelectConditionStep<Record4<Long, String, Boolean, LocalDateTime>> query = dsl
                .select(E.ID, E.MODE, E.IS_ACTIVE, E.CREATED)
                .from(E)
                .where(E.USER_ID.eq(user.id().getAsLong()).and(E.COURSE_ID.eq(course.toString())));
        var result = latestCommitted && db.dialect().isMySqlFamily()
                // InnoDB's REPEATABLE READ snapshot may predate the row the insert just ran into: a locking read
                // sees the latest committed version (FOR UPDATE: MariaDB has no FOR SHARE). Only on the rare path
                // where an insert inside a transaction met an existing row.
                ? query.forUpdate().fetchOptional()
                : query.fetchOptional();
        return result.map(r -> Values.factory().enrollment(r.value1(), user, course, mode(r.value2(), r.value1()),
                r.value3(), r.value4() == null ? null : r.value4().toInstant(ZoneOffset.UTC)));
    }

    private static CourseMode mode(String slug, long rowId) {
        try {
            return CourseMode.of(slug);
        } catch (InvalidInputException e) {
            throw new DatabaseException("read", 1, "student_courseenrollment row " + rowId
                    + " has a mode this library does not know; known modes: see CourseMode", null);
        }
    }
}
