package dev.enrollment.internal;

import dev.enrollment.Allowance;
import dev.enrollment.Allowances;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollmentallowed;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

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
                int updated = s.dsl().update(A).set(A.AUTO_ENROLL, autoEnroll)
                        .where(A.EMAIL.eq(key).and(A.COURSE_ID.eq(course.toString())))
                        .execute();
                if (updated == 0) {   // not our key's duplicate: another unique index refused the row
                    throw new org.jooq.exception.DataAccessException("insert allowance", conflict[0]);
                }
            }
            return null;
        });
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
                .map(r -> {
                    CourseKey course = Rows.courseKeyOrNull(r.value3(), "student_courseenrollmentallowed", r.value1());
                    return course == null ? null : VALUES.allowance(r.value1(), r.value2(), course, r.value4(),
                            Rows.instant(r.value5()),
                            r.value6() == null ? null : VALUES.savedUser(r.value6(), r.value7(), r.value8()));
                })
                .filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toList()));
    }

    /**
     * Links every unused allowance for the user's email to the user, in the session's transaction, and enrolls the
     * user (active, audit) in the auto-enroll ones. Each allowance is claimed with a compare-and-set update, so
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
        var open = s.dsl().select(A.ID, A.COURSE_ID, A.AUTO_ENROLL)
                .from(A)
                .where(A.EMAIL.eq(key).and(A.USER_ID.isNull()))
                .orderBy(A.ID)
                .fetch();
        for (var r : open) {
            int claimed = s.dsl().update(A).set(A.USER_ID, userId)
                    .where(A.ID.eq(r.value1()).and(A.USER_ID.isNull()))
                    .execute();
            if (claimed == 1 && Boolean.TRUE.equals(r.value3())) {
                CourseKey course = Rows.courseKeyOrNull(r.value2(), "student_courseenrollmentallowed", r.value1());
                if (course != null) {   // an Open edX CCX allowance: linked, but not a course the library enrolls in
                    EnrollmentStore.enrollIn(s, user, course, CourseMode.AUDIT, change, new AtomicBoolean(false));
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
