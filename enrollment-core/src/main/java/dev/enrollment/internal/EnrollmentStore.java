package dev.enrollment.internal;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseFilter;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.InvalidInputException;
import dev.enrollment.NotFoundException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Condition;
import org.jooq.SelectField;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/** {@link EnrollmentRepository} on {@code student_courseenrollment}, with history and events. */
public final class EnrollmentStore implements EnrollmentRepository {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final AuthUser U = AUTH_USER;

    private final Scope scope;
    private final Change change;

    /**
     * Creates the store.
     *
     * @param scope  where operations run
     * @param change who and why, for history rows
     */
    public EnrollmentStore(Scope scope, Change change) {
        this.scope = scope;
        this.change = change;
    }

    @Override
    public EnrollmentRepository changedBy(User actor, String reason) {
        if (actor != null && actor.isSaved()) {
            Checks.requireOwned(actor, scope.db(), "actor");
        }
        return new EnrollmentStore(scope, Change.of(actor, reason));
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    @Override
    public Enrollment getOrCreate(User user, CourseKey course) {
        Checks.notNull(user, "user");
        Checks.notNull(course, "course");
        if (!user.isSaved()) {
            // Rule 2: the user row and its enrollment commit together or not at all.
            return scope.write("getOrCreate", true, s -> {
                User saved = UserStore.insertAndLink(s, user, change);
                return EnrollmentChanges.createIfAbsent(s, saved, course, change);
            });
        }
        Checks.requireOwned(user, scope.db(), "user");
        // A saved user is trusted (rule 5): no existence check. Most calls find the row: read first, in autocommit;
        // only a miss opens a transaction (rule 3: insert-ignore, then read; never select-then-insert alone).
        Optional<EnrollmentRow> existing = scope.read("getOrCreate", s -> EnrollmentTable.find(s, user, course));
        if (existing.isPresent()) {
            return existing.get().typedOrThrow("getOrCreate", user, course);
        }
        return scope.write("getOrCreate", true, s -> EnrollmentChanges.createIfAbsent(s, user, course, change));
    }

    @Override
    public Enrollment enroll(User user, CourseKey course, CourseMode mode) {
        Checks.notNull(user, "user");
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        if (!user.isSaved()) {
            // Get-or-create, then activate (Open edX's enroll goes through get_or_create_enrollment): the user row,
            // any allowance it uses and the enrollment commit together or not at all (rule 2).
            return scope.write("enroll", true, s -> {
                User saved = UserStore.insertAndLink(s, user, change);
                // An auto-enroll allowance may have made the row just now, in this transaction: lock it, not insert.
                boolean exists = EnrollmentTable.find(s, saved, course).isPresent();
                OptionalLong max = s.db().maxActive(course);
                if (max.isPresent()) {   // a full course refuses, and the user's insert rolls back with it
                    return EnrollmentChanges.activateCapped(s, saved, course, mode, change, max.getAsLong(), false,
                            !exists,
                            "enroll", true).orElseThrow();
                }
                return EnrollmentChanges.enroll(s, saved, course, mode, change, new AtomicBoolean(exists));
            });
        }
        Checks.requireOwned(user, scope.db(), "user");
        Optional<EnrollmentRow> current = scope.read("enroll", s -> EnrollmentTable.find(s, user, course));
        if (current.isPresent() && current.get().is(true, mode)) {
            return current.get().typed(user, course);   // nothing to change: no transaction, no history, no event
        }
        OptionalLong max = scope.db().maxActive(course);
        if (max.isPresent()) {
            // The seat lock is the transaction's first statement (at the top level): see Seats.active.
            boolean absent = current.isEmpty();
            return scope.write("enroll", true, s -> EnrollmentChanges.activateCapped(s, user, course, mode, change,
                    max.getAsLong(),
                    s.restartable(), absent, "enroll", true).orElseThrow());
        }
        AtomicBoolean exists = new AtomicBoolean(current.isPresent());
        return scope.write("enroll", true, s -> EnrollmentChanges.enroll(s, user, course, mode, change, exists));
    }

    @Override
    public List<Enrollment> unenrollAll(User user) {
        long userId = Checks.savedUserId(user, scope.db());
        return scope.write("unenrollAll", true, s -> {
            // In the order of the unique key (user_id, course_id), as Users.delete reads them: only this user's rows.
            List<EnrollmentRow> rows = EnrollmentTable.lockOfUser(s, userId, E.IS_ACTIVE.isTrue(), 0);
            if (rows.isEmpty()) {
                return List.<Enrollment>of();
            }
            EnrollmentTable.updateAll(s, rows, false, null, E.IS_ACTIVE.isTrue());
            // History from the stored values: Open edX rows the library cannot type are deactivated all the same.
            List<EnrollmentRow> after = rows.stream().map(r -> r.with(false, r.mode())).collect(Collectors.toList());
            History.writeAll(s, History.CHANGED, after, change);
            List<Enrollment> changed = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Enrollment was = rows.get(i).typed(user);
                if (was != null) {
                    Enrollment now = VALUES.enrollment(was.id(), user, was.courseKey(), was.mode(), false,
                            was.created());
                    s.emit(EnrollmentEvent.Type.DEACTIVATED, was, now);
                    changed.add(now);
                }
            }
            return List.copyOf(changed);
        });
    }

    @Override
    public long changeModeAll(CourseKey course, CourseMode from, CourseMode to) {
        return changeModeAll(course, from, to, done -> { });
    }

    @Override
    public long changeModeAll(CourseKey course, CourseMode from, CourseMode to, LongConsumer progress) {
        Checks.notNull(course, "course");
        Checks.notNull(from, "from");
        Checks.notNull(to, "to");
        Checks.notNull(progress, "progress");
        if (from == to) {
            throw new InvalidInputException("to", "must differ from from (both are " + from.slug() + ")");
        }
        int batch = scope.db().batchSize();
        long changed = 0;
        long after = 0;
        while (true) {
            long resume = after;
            long[] done = scope.write("changeModeAll", true, s -> changeModeBatch(s, course, from, to, resume,
                    batch, change));
            changed += done[0];
            after = done[1];
            if (done[0] > 0) {
                progress.accept(changed);
            }
            if (done[2] < batch) {
                return changed;
            }
        }
    }

    /**
     * One batch of changeModeAll, in one transaction: lock the next rows of the course in {@code from} after
     * {@code after} in id order (keyset), move them to {@code to}, write their history and events.
     *
     * @return {changed, last id read, rows read}
     */
    private static long[] changeModeBatch(Session s, CourseKey course, CourseMode from, CourseMode to, long after,
                                          int batch, Change change) {
        List<EnrollmentRow> rows = EnrollmentTable.lockInMode(s, course.toString(), from.slug(), after, batch);
        if (rows.isEmpty()) {
            return new long[] {0, after, 0};
        }
        EnrollmentTable.updateAll(s, rows, null, to.slug(), E.MODE.eq(from.slug()));
        History.writeAll(s, History.CHANGED, rows.stream().map(r -> r.with(r.active(), to.slug()))
                .collect(Collectors.toList()), change);
        // The users, for the events, by a plain read: no user row is locked. Orphans get history and no event.
        Map<Long, User> users = new HashMap<>();
        s.dsl().select(UserRow.FIELDS).from(U)
                .where(U.ID.in(rows.stream().map(EnrollmentRow::userId).distinct().collect(Collectors.toList())))
                .forEach(r -> users.put(r.get(U.ID), UserRow.of(s.db(), r)));
        for (EnrollmentRow r : rows) {
            User u = users.get(r.userId());
            if (u != null) {
                CourseKey stored = r.course(course);
                s.emit(EnrollmentEvent.Type.MODE_CHANGED,
                        VALUES.enrollment(r.id(), u, stored, from, r.active(), r.created()),
                        VALUES.enrollment(r.id(), u, stored, to, r.active(), r.created()));
            }
        }
        long last = rows.get(rows.size() - 1).id();
        return new long[] {rows.size(), last, rows.size()};
    }

    @Override
    public Enrollment unenroll(User user, CourseKey course) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        Enrollment current = scope.read("unenroll", s -> EnrollmentTable.find(s, user, course))
                .orElseThrow(() -> notFound("unenroll", user, course)).typedOrThrow("unenroll", user, course);
        if (!current.isActive()) {
            return current;
        }
        return scope.write("unenroll", true, s -> {
            EnrollmentRow before = EnrollmentTable.lock(s, user, course)
                    .orElseThrow(() -> notFound("unenroll", user, course));
            Enrollment was = before.typedOrThrow("unenroll", user, course);
            if (!was.isActive()) {
                return was;
            }
            return EnrollmentChanges.change(s, before, user, course, false, was.mode(), change,
                    EnrollmentEvent.Type.DEACTIVATED);
        });
    }

    @Override
    public Enrollment changeMode(User user, CourseKey course, CourseMode mode) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        EnrollmentRow current = scope.read("changeMode", s -> EnrollmentTable.find(s, user, course))
                .orElseThrow(() -> notFound("changeMode", user, course));
        if (current.knownMode() == mode) {
            return current.typed(user, course);
        }
        return scope.write("changeMode", true, s -> {
            EnrollmentRow before = EnrollmentTable.lock(s, user, course)
                    .orElseThrow(() -> notFound("changeMode", user, course));
            if (before.knownMode() == mode) {
                return before.typed(user, course);
            }
            return EnrollmentChanges.change(s, before, user, course, before.active(), mode, change,
                    EnrollmentEvent.Type.MODE_CHANGED);
        });
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users) {
        return enrollAll(course, mode, users, totals -> { });
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Stream<User> users) {
        Checks.notNull(users, "users");
        return enrollAll(course, mode, users::iterator, totals -> { });
    }

    @Override
    public BulkResult enrollAll(CourseKey course, CourseMode mode, Iterable<User> users,
                                Consumer<BulkResult> progress) {
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        Checks.notNull(users, "users");
        Checks.notNull(progress, "progress");
        return new EnrollAll(scope, change).run(course, mode, users, progress);
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    @Override
    public Optional<Enrollment> find(User user, CourseKey course) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        return scope.read("find", s -> EnrollmentTable.find(s, user, course)).map(r -> r.typed(user, course));
    }

    @Override
    public boolean isEnrolled(User user, CourseKey course) {
        long userId = Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        return scope.read("isEnrolled", s -> EnrollmentTable.isActive(s, userId, course));
    }

    @Override
    public List<Enrollment> forUser(User user) {
        long userId = Checks.savedUserId(user, scope.db());
        return scope.read("forUser", s -> EnrollmentTable.ofUser(s, userId).stream()
                .map(r -> r.typed(user))
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toList()));
    }

    @Override
    public Stream<Enrollment> forCourse(CourseKey course) {
        Checks.notNull(course, "course");
        String courseId = course.toString();
        List<SelectField<?>> fields = new ArrayList<>(EnrollmentRow.FIELDS);
        fields.addAll(UserRow.FIELDS);
        return scope.stream("forCourse", dsl -> dsl
                        .select(fields)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(E.COURSE_ID.eq(courseId))
                        .orderBy(E.ID),
                // Rows in a mode the library does not know are left out (and logged once per mode).
                r -> {
                    EnrollmentRow row = EnrollmentRow.of(r);
                    return row.knownMode() == null ? null : row.typed(UserRow.of(scope.db(), r), course);
                })
                .filter(java.util.Objects::nonNull);
    }

    @Override
    public Stream<User> usersInCourse(CourseKey course, CourseFilter filter) {
        Checks.notNull(course, "course");
        Checks.notNull(filter, "filter");
        Condition where = E.COURSE_ID.eq(course.toString());
        if (!filter.includesInactive()) {
            where = where.and(E.IS_ACTIVE.isTrue());
        }
        if (!filter.modes().isEmpty()) {
            where = where.and(E.MODE.in(filter.modes().stream().map(CourseMode::slug).collect(Collectors.toList())));
        }
        Condition condition = where;
        return scope.stream("usersInCourse", dsl -> dsl
                        .select(UserRow.FIELDS)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(condition)
                        .orderBy(E.ID),
                r -> UserRow.of(scope.db(), r));
    }

    @Override
    public Map<CourseMode, Long> countsByMode(CourseKey course) {
        Checks.notNull(course, "course");
        return scope.read("countsByMode", s -> {
            Map<CourseMode, Long> counts = new EnumMap<>(CourseMode.class);
            var count = org.jooq.impl.DSL.count();
            s.dsl().select(E.MODE, count)
                    .from(E)
                    .where(E.COURSE_ID.eq(course.toString()).and(E.IS_ACTIVE.isTrue()))
                    .groupBy(E.MODE)
                    .forEach(r -> {
                        CourseMode mode = Rows.modeOrNull(r.get(E.MODE), 0);   // unknown modes are left out
                        if (mode != null) {
                            counts.merge(mode, r.get(count).longValue(), Long::sum);
                        }
                    });
            return counts;
        });
    }

    private static NotFoundException notFound(String operation, User user, CourseKey course) {
        return new NotFoundException(operation + ": user " + user.id().getAsLong() + " has no enrollment in "
                + course);
    }
}
