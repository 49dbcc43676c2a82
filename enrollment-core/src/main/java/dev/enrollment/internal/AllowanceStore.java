package dev.enrollment.internal;

import dev.enrollment.Allowance;
import dev.enrollment.Allowances;
import dev.enrollment.CourseKey;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollmentallowed;

import org.jooq.SelectField;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENTALLOWED;

/** {@link Allowances} on {@code student_courseenrollmentallowed}. */
public final class AllowanceStore implements Allowances {
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
                    .set(A.CREATED, Timestamps.field(s.db().dialect(), Instant.now()))
                    .set(A.AUTO_ENROLL, autoEnroll)
                    .set(A.USER_ID, (Long) null), A.ID, conflict, A.EMAIL, A.COURSE_ID);
            if (id == null) {
                // The row of this email and course, compared exactly but for case: a collation that folds
                // accents (Open edX's utf8mb3_general_ci) also matches another person's email.
                List<Long> mine = lock(s, key, A.COURSE_ID.eq(course.toString())).stream()
                        .map(AllowanceRow::id).collect(java.util.stream.Collectors.toList());
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
        List<AllowanceRow> rows = lock(s, key, A.COURSE_ID.eq(course.toString()));
        if (rows.isEmpty()) {
            return;
        }
        AllowanceRow row = rows.get(0);
        User user;
        if (row.userId() == null) {
            user = firstUserWithEmail(s, key);
            if (user == null) {
                return;   // nobody has the email yet: saving such a user will use the allowance
            }
            int claimed = s.dsl().update(A).set(A.USER_ID, user.id().getAsLong())
                    .where(A.ID.eq(row.id()).and(A.USER_ID.isNull()))
                    .execute();
            if (claimed == 0) {
                return;
            }
        } else {
            user = s.dsl().select(UserRow.FIELDS).from(U).where(U.ID.eq(row.userId()))
                    .fetchOptional(r -> UserRow.of(s.db(), r)).orElse(null);
            if (user == null) {
                return;   // linked to a user deleted behind the library's back: nobody to enroll
            }
        }
        if (autoEnroll) {
            EnrollmentChanges.autoEnroll(s, user, course, Change.NONE, true);
        }
    }

    /** The user with this email (compared case-insensitively, accents exactly) with the lowest id, or null. */
    private static User firstUserWithEmail(Session s, String key) {
        // MySQL's _ci collations already fold case (and keep the index usable); elsewhere compare lower-cased.
        var where = s.db().dialect().isMySqlFamily() ? U.EMAIL.eq(key) : org.jooq.impl.DSL.lower(U.EMAIL).eq(key);
        return s.dsl().select(UserRow.FIELDS).from(U).where(where).orderBy(U.ID)
                .fetch(r -> UserRow.of(s.db(), r))
                .stream().filter(u -> Rows.sameEmail(u.email(), key)).findFirst().orElse(null);
    }

    /** The email's allowances matching the condition, locked, compared again exactly but for case. */
    private static List<AllowanceRow> lock(Session s, String key, org.jooq.Condition condition) {
        return s.dsl().select(AllowanceRow.FIELDS).from(A)
                .where(A.EMAIL.eq(key).and(condition))
                .forUpdate()
                .fetch(AllowanceRow::of)
                .stream().filter(r -> r.isFor(key)).collect(java.util.stream.Collectors.toList());
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
        List<Long> ids = lock(s, key, condition).stream().map(AllowanceRow::id)
                .collect(java.util.stream.Collectors.toList());
        if (ids.isEmpty()) {
            return 0;
        }
        return s.dsl().deleteFrom(A).where(A.ID.in(ids)).execute();
    }

    @Override
    public List<Allowance> forEmail(String email) {
        String key = normalize(email);
        List<SelectField<?>> fields = new ArrayList<>(AllowanceRow.FIELDS);
        fields.addAll(UserRow.FIELDS);
        return scope.read("forEmail", s -> s.dsl()
                .select(fields)
                .from(A)
                .leftJoin(U).on(U.ID.eq(A.USER_ID))
                .where(A.EMAIL.eq(key))
                .orderBy(A.ID)
                .fetch()
                .stream()
                .map(r -> {
                    AllowanceRow row = AllowanceRow.of(r);
                    // a collation that folds accents matches others too
                    return row.isFor(key) ? row.typed(UserRow.ofNullable(s.db(), r)) : null;
                })
                .filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toList()));
    }

    /**
     * Links every unused allowance for the user's email to the user, in the session's transaction, and enrolls the
     * user in the auto-enroll ones (see {@link EnrollmentChanges#autoEnroll}: an existing enrollment keeps its mode;
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
        List<AllowanceRow> open = s.dsl().select(AllowanceRow.FIELDS)
                .from(A)
                .where(A.EMAIL.eq(key).and(A.USER_ID.isNull()))
                .orderBy(A.ID)
                .fetch(AllowanceRow::of);
        for (AllowanceRow r : open) {
            if (!r.isFor(key)) {
                continue;   // an accent-folding collation matched another email
            }
            int claimed = s.dsl().update(A).set(A.USER_ID, userId)
                    .where(A.ID.eq(r.id()).and(A.USER_ID.isNull()))
                    .execute();
            if (claimed == 1 && r.autoEnroll()) {
                CourseKey course = r.courseOrNull();
                if (course != null) {   // an Open edX CCX allowance: linked, but not a course the library enrolls in
                    // A full capped course enrolls nobody: the account is never refused because a course filled up.
                    EnrollmentChanges.autoEnroll(s, user, course, change, false);
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
