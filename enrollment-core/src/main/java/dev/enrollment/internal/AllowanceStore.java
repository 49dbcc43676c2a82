package dev.enrollment.internal;

import dev.enrollment.Allowance;
import dev.enrollment.Allowances;
import dev.enrollment.CourseKey;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollmentallowed;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENTALLOWED;

/** {@link Allowances} on {@code student_courseenrollmentallowed}. */
public final class AllowanceStore implements Allowances {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollmentallowed A = STUDENT_COURSEENROLLMENTALLOWED;
    private static final AuthUser U = AUTH_USER;

    private final Scope scope;

    /**
     * Creates the store.
     *
     * @param scope where operations run
     */
    public AllowanceStore(Scope scope) {
        this.scope = scope;
    }

    @Override
    public void allow(String email, CourseKey course, boolean autoEnroll) {
        String key = normalize(email);
        Checks.notNull(course, "course");
        scope.write("allow", true, s -> {
            java.sql.SQLException[] conflict = new java.sql.SQLException[1];
            Long id = Inserts.ignoringDuplicate(s, s.dsl().insertInto(A)
                    .set(A.EMAIL, key)
                    .set(A.COURSE_ID, course.toString())
                    .set(A.CREATED, s.db().timestamp(Instant.now()))
                    .set(A.AUTO_ENROLL, autoEnroll)
                    .set(A.USER_ID, (Long) null), A.ID, conflict, A.EMAIL, A.COURSE_ID);
            if (id == null) {
                // The row of this email and course, compared exactly but for case: a collation that folds
                // accents (Open edX's utf8mb3_general_ci) also matches another person's email.
                List<Long> mine = s.dsl().select(A.ID, A.EMAIL).from(A)
                        .where(A.EMAIL.eq(key).and(A.COURSE_ID.eq(course.toString())))
                        .forUpdate()
                        .fetch()
                        .stream().filter(r -> sameEmail(r.value2(), key)).map(r -> r.value1())
                        .collect(java.util.stream.Collectors.toList());
                if (mine.isEmpty()) {
                    if (s.dsl().fetchExists(A, A.EMAIL.eq(key).and(A.COURSE_ID.eq(course.toString())))) {
                        throw new dev.enrollment.DatabaseException("allow", 1, "allow failed: the database's "
                                + "collation of student_courseenrollmentallowed.email treats this email as equal to "
                                + "another person's (it folds accents), so both cannot have an allowance for this "
                                + "course; nothing was written", null);
                    }
                    // not our key's duplicate: another unique index refused the row
                    throw new org.jooq.exception.DataAccessException("insert allowance", conflict[0]);
                }
                s.dsl().update(A).set(A.AUTO_ENROLL, autoEnroll).where(A.ID.in(mine)).execute();
            }
            applyToExistingUser(s, key, course, autoEnroll);
            return null;
        });
    }

    /**
     * Where the email already belongs to a user, links the allowance to that user (the one with the lowest id when
     * several have it) and, when it auto-enrolls, enrolls them at once, as Open edX's batch enrollment does for
     * existing users. A full capped course refuses the whole call.
     */
    private static void applyToExistingUser(Session s, String key, CourseKey course, boolean autoEnroll) {
        // Every allowance row for the email and course (a _ci collation may match a mixed-case Open edX row; an
        // accent-folding one may match another email, which compare() leaves out).
        var rows = s.dsl().select(A.ID, A.EMAIL, A.USER_ID).from(A)
                .where(A.EMAIL.eq(key).and(A.COURSE_ID.eq(course.toString())))
                .forUpdate()
                .fetch()
                .stream().filter(r -> sameEmail(r.value2(), key)).collect(java.util.stream.Collectors.toList());
        if (rows.isEmpty()) {
            return;
        }
        var row = rows.get(0);
        User user;
        if (row.value3() == null) {
            user = firstUserWithEmail(s, key);
            if (user == null) {
                return;   // nobody has the email yet: saving such a user will use the allowance
            }
            int claimed = s.dsl().update(A).set(A.USER_ID, user.id().getAsLong())
                    .where(A.ID.eq(row.value1()).and(A.USER_ID.isNull()))
                    .execute();
            if (claimed == 0) {
                return;
            }
        } else {
            user = s.dsl().select(U.ID, U.USERNAME, U.EMAIL).from(U).where(U.ID.eq(row.value3()))
                    .fetchOptional(r -> UserStore.toUser(s.db(), r)).orElse(null);
            if (user == null) {
                return;   // linked to a user deleted behind the library's back: nobody to enroll
            }
        }
        if (autoEnroll) {
            EnrollmentStore.autoEnroll(s, user, course, Change.NONE, true);
        }
    }

    /** The user with this email (compared case-insensitively, accents exactly) with the lowest id, or null. */
    private static User firstUserWithEmail(Session s, String key) {
        // MySQL's _ci collations already fold case (and keep the index usable); elsewhere compare lower-cased.
        var where = s.db().dialect().isMySqlFamily() ? U.EMAIL.eq(key) : org.jooq.impl.DSL.lower(U.EMAIL).eq(key);
        return s.dsl().select(U.ID, U.USERNAME, U.EMAIL).from(U).where(where).orderBy(U.ID)
                .fetch()
                .stream().filter(r -> sameEmail(r.value3(), key)).findFirst()
                .map(r -> UserStore.toUser(s.db(), r)).orElse(null);
    }

    /** Emails ignore case, and only case: MySQL's default collations also fold accents, which this undoes. */
    static boolean sameEmail(String stored, String key) {
        return stored != null && stored.toLowerCase(Locale.ROOT).equals(key);
    }

    @Override
    public boolean revoke(String email, CourseKey course) {
        String key = normalize(email);
        Checks.notNull(course, "course");
        return scope.write("revoke", true, s -> delete(s, key, A.COURSE_ID.eq(course.toString()))) > 0;
    }

    @Override
    public long revokeAll(String email) {
        String key = normalize(email);
        return scope.write("revokeAll", true, s -> delete(s, key, org.jooq.impl.DSL.noCondition()));
    }

    /** Deletes the email's allowances matching the condition, by id after comparing the emails in Java. */
    private static long delete(Session s, String key, org.jooq.Condition condition) {
        List<Long> ids = s.dsl().select(A.ID, A.EMAIL).from(A)
                .where(A.EMAIL.eq(key).and(condition))
                .forUpdate()
                .fetch()
                .stream().filter(r -> sameEmail(r.value2(), key)).map(r -> r.value1())
                .collect(java.util.stream.Collectors.toList());
        if (ids.isEmpty()) {
            return 0;
        }
        return s.dsl().deleteFrom(A).where(A.ID.in(ids)).execute();
    }

    @Override
    public List<Allowance> forEmail(String email) {
        String key = normalize(email);
        return scope.read("forEmail", s -> s.dsl()
                .select(A.ID, A.EMAIL, A.COURSE_ID, A.AUTO_ENROLL, A.CREATED, U.ID, U.USERNAME, U.EMAIL)
                .from(A)
                .leftJoin(U).on(U.ID.eq(A.USER_ID))
                .where(A.EMAIL.eq(key))
                .orderBy(A.ID)
                .fetch()
                .stream()
                .filter(r -> sameEmail(r.value2(), key))   // a collation that folds accents matches others too
                .map(r -> {
                    CourseKey course = Rows.courseKeyOrNull(r.value3(), "student_courseenrollmentallowed", r.value1());
                    return course == null ? null : VALUES.allowance(r.value1(), r.value2(), course, r.value4(),
                            Rows.instant(r.value5()),
                            r.value6() == null ? null : VALUES.savedUser(r.value6(), r.value7(), r.value8(), s.db().origin()));
                })
                .filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toList()));
    }

    /**
     * Links every unused allowance for the user's email to the user, in the session's transaction, and enrolls the
     * user in the auto-enroll ones (see {@link EnrollmentStore#autoEnroll}: an existing enrollment keeps its mode;
     * a full capped course is skipped, its allowance still linked). Each allowance is claimed with a compare-and-set update, so
     * one user only gets it even when two users with the same email are saved at once; no locks are taken when
     * there is no allowance, which is the common case.
     *
     * @param s      the session, in a transaction
     * @param user   the user just saved
     * @param change who and why, for the history of the enrollments
     */
    static void linkTo(Session s, User user, Change change) {
        if (user.email().isEmpty()) {
            return;
        }
        String key = user.email().toLowerCase(Locale.ROOT);
        long userId = user.id().getAsLong();
        var open = s.dsl().select(A.ID, A.COURSE_ID, A.AUTO_ENROLL, A.EMAIL)
                .from(A)
                .where(A.EMAIL.eq(key).and(A.USER_ID.isNull()))
                .orderBy(A.ID)
                .fetch();
        for (var r : open) {
            if (!sameEmail(r.value4(), key)) {
                continue;   // an accent-folding collation matched another email
            }
            int claimed = s.dsl().update(A).set(A.USER_ID, userId)
                    .where(A.ID.eq(r.value1()).and(A.USER_ID.isNull()))
                    .execute();
            if (claimed == 1 && Boolean.TRUE.equals(r.value3())) {
                CourseKey course = Rows.courseKeyOrNull(r.value2(), "student_courseenrollmentallowed", r.value1());
                if (course != null) {   // an Open edX CCX allowance: linked, but not a course the library enrolls in
                    // A full capped course enrolls nobody: the account is never refused because a course filled up.
                    EnrollmentStore.autoEnroll(s, user, course, change, false);
                }
            }
        }
    }

    private static String normalize(String email) {
        if (email != null && email.isEmpty()) {
            throw new InvalidInputException("email", "must not be empty");
        }
        return Checks.email(email).toLowerCase(Locale.ROOT);
    }
}
