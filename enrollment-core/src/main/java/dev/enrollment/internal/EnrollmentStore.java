package dev.enrollment.internal;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseFilter;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseFullException;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentRepository;
import dev.enrollment.InvalidInputException;
import dev.enrollment.NotFoundException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.AuthUser;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record5;
import org.jooq.Record6;
import org.jooq.Record8;
import org.jooq.SelectConditionStep;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EnrollmentStore.class);
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final AuthUser U = AUTH_USER;
    /** Insert-then-read rounds before giving up when a row keeps vanishing under a concurrent delete. */
    private static final int MAX_ROUNDS = 3;

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
                return createIfAbsent(s, saved, course, change);
            });
        }
        Checks.requireOwned(user, scope.db(), "user");
        // A saved user is trusted (rule 5): no existence check. Most calls find the row: read first, in autocommit;
        // only a miss opens a transaction (rule 3: insert-ignore, then read; never select-then-insert alone).
        Optional<Found> existing = scope.read("getOrCreate", s -> select(s, user, course));
        if (existing.isPresent()) {
            return existing.get().typedOrThrow("getOrCreate", user);
        }
        return scope.write("getOrCreate", true, s -> createIfAbsent(s, user, course, change));
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
                boolean exists = select(s, saved, course).isPresent();
                OptionalLong max = s.db().maxActive(course);
                if (max.isPresent()) {   // a full course refuses, and the user's insert rolls back with it
                    return activateCapped(s, saved, course, mode, change, max.getAsLong(), false, !exists,
                            "enroll", true).orElseThrow();
                }
                return enrollIn(s, saved, course, mode, change, new AtomicBoolean(exists));
            });
        }
        Checks.requireOwned(user, scope.db(), "user");
        Optional<Found> current = scope.read("enroll", s -> select(s, user, course));
        if (current.isPresent() && current.get().is(true, mode)) {
            return current.get().typed(user);   // nothing to change: no transaction, no history, no event
        }
        OptionalLong max = scope.db().maxActive(course);
        if (max.isPresent()) {
            // The seat lock is the transaction's first statement (at the top level): see Seats.active.
            boolean absent = current.isEmpty();
            return scope.write("enroll", true, s -> activateCapped(s, user, course, mode, change, max.getAsLong(),
                    s.restartable(), absent, "enroll", true).orElseThrow());
        }
        AtomicBoolean exists = new AtomicBoolean(current.isPresent());
        return scope.write("enroll", true, s -> enrollIn(s, user, course, mode, change, exists));
    }

    @Override
    public List<Enrollment> unenrollAll(User user) {
        long userId = Checks.savedUserId(user, scope.db());
        return scope.write("unenrollAll", true, s -> {
            // In the order of the unique key (user_id, course_id), as Users.delete reads them: only this user's rows.
            var rows = s.dsl().select(E.ID, E.COURSE_ID, E.MODE, E.CREATED)
                    .from(E)
                    .where(E.USER_ID.eq(userId).and(E.IS_ACTIVE.isTrue()))
                    .orderBy(E.COURSE_ID)
                    .forUpdate()
                    .fetch();
            if (rows.isEmpty()) {
                return List.<Enrollment>of();
            }
            s.dsl().update(E).set(E.IS_ACTIVE, false)
                    .where(E.ID.in(rows.map(r -> r.value1())).and(E.IS_ACTIVE.isTrue()))
                    .execute();
            // History from the stored values: Open edX rows the library cannot type are deactivated all the same.
            History.writeAll(s, History.CHANGED, rows.map(r -> new History.Row(r.value1(), userId, r.value2(),
                    r.value3(), false, Rows.instant(r.value4()))), change);
            List<Enrollment> changed = new ArrayList<>();
            for (var r : rows) {
                CourseKey key = Rows.courseKeyOrNull(r.value2(), "student_courseenrollment", r.value1());
                CourseMode mode = Rows.modeOrNull(r.value3(), r.value1());
                if (key != null && mode != null) {
                    Instant created = Rows.instant(r.value4());
                    Enrollment after = VALUES.enrollment(r.value1(), user, key, mode, false, created);
                    s.emit(EnrollmentEvent.Type.DEACTIVATED,
                            VALUES.enrollment(r.value1(), user, key, mode, true, created), after);
                    changed.add(after);
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
        String courseId = course.toString();
        var rows = s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.CREATED, E.COURSE_ID)
                .from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.MODE.eq(from.slug())).and(E.ID.gt(after)))
                .orderBy(E.ID)
                .limit(batch)
                .forUpdate()
                .fetch();
        if (rows.isEmpty()) {
            return new long[] {0, after, 0};
        }
        List<Long> ids = rows.map(r -> r.value1());
        s.dsl().update(E).set(E.MODE, to.slug()).where(E.ID.in(ids).and(E.MODE.eq(from.slug()))).execute();
        History.writeAll(s, History.CHANGED, rows.map(r -> new History.Row(r.value1(), r.value2(), r.value5(),
                to.slug(), r.value3(), Rows.instant(r.value4()))), change);
        // The users, for the events, by a plain read: no user row is locked. Orphans get history and no event.
        Map<Long, User> users = new HashMap<>();
        s.dsl().select(U.ID, U.USERNAME, U.EMAIL).from(U)
                .where(U.ID.in(rows.map(r -> r.value2()).stream().distinct().collect(Collectors.toList())))
                .forEach(r -> users.put(r.value1(), UserStore.toUser(s.db(), r)));
        for (var r : rows) {
            User u = users.get(r.value2());
            if (u != null) {
                CourseKey stored = Rows.stored(course, r.value5(), r.value1());
                Instant created = Rows.instant(r.value4());
                s.emit(EnrollmentEvent.Type.MODE_CHANGED,
                        VALUES.enrollment(r.value1(), u, stored, from, r.value3(), created),
                        VALUES.enrollment(r.value1(), u, stored, to, r.value3(), created));
            }
        }
        return new long[] {rows.size(), ids.get(ids.size() - 1), rows.size()};
    }

    @Override
    public Enrollment unenroll(User user, CourseKey course) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        Enrollment current = scope.read("unenroll", s -> select(s, user, course))
                .orElseThrow(() -> notFound("unenroll", user, course)).typedOrThrow("unenroll", user);
        if (!current.isActive()) {
            return current;
        }
        return scope.write("unenroll", true, s -> {
            Enrollment before = selectForUpdate(s, user, course).orElseThrow(() -> notFound("unenroll", user, course))
                    .typedOrThrow("unenroll", user);
            if (!before.isActive()) {
                return before;
            }
            Enrollment after = update(s, before.id(), user, before.courseKey(), before.created(), false,
                    before.mode());
            History.write(s, History.CHANGED, after, change);
            s.emit(EnrollmentEvent.Type.DEACTIVATED, before, after);
            return after;
        });
    }

    @Override
    public Enrollment changeMode(User user, CourseKey course, CourseMode mode) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        Checks.notNull(mode, "mode");
        Found current = scope.read("changeMode", s -> select(s, user, course))
                .orElseThrow(() -> notFound("changeMode", user, course));
        if (current.mode() == mode) {
            return current.typed(user);
        }
        return scope.write("changeMode", true, s -> {
            Found before = selectForUpdate(s, user, course)
                    .orElseThrow(() -> notFound("changeMode", user, course));
            if (before.mode() == mode) {
                return before.typed(user);
            }
            // A row in a mode the library does not know is overwritten; its event has no typed "before".
            Enrollment after = update(s, before.id(), user, before.course(), before.created(), before.active(), mode);
            History.write(s, History.CHANGED, after, change);
            s.emit(EnrollmentEvent.Type.MODE_CHANGED, before.typed(user), after);
            return after;
        });
    }

    /**
     * Creates the (inactive, audit) row unless it exists, in the session's transaction; writes history and an
     * event only when it created the row.
     */
    static Enrollment createIfAbsent(Session s, User user, CourseKey course, Change change) {
        SQLException[] conflict = new SQLException[1];
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Long id = insert(s, user, course, false, CourseMode.AUDIT, now, conflict);
            if (id != null) {
                Enrollment created = VALUES.enrollment(id, user, course, CourseMode.AUDIT, false, now);
                History.write(s, History.CREATED, created, change);
                s.emit(EnrollmentEvent.Type.CREATED, null, created);
                return created;
            }
            // The row exists. A plain read sees it unless this transaction's snapshot is older than the row (only
            // inside a caller's transaction); then a locking read gets the latest committed version.
            Optional<Found> existing = select(s, user, course);
            if (existing.isEmpty() && s.db().dialect().isMySqlFamily()) {
                existing = selectForUpdate(s, user, course);
            }
            if (existing.isPresent()) {
                return existing.get().typedOrThrow("getOrCreate", user);
            }
            // It was deleted before we could read it: insert again.
        }
        throw vanished("getOrCreate", conflict[0]);
    }

    /**
     * Makes the row active in the mode, in the session's transaction: insert it if absent, else lock it and change
     * what differs. Writes history and an event only for a change.
     *
     * @param exists whether a read saw the row: then lock it at once instead of trying to insert; set when an
     *               insert finds the row, so that a restarted transaction goes straight to the lock
     */
    static Enrollment enrollIn(Session s, User user, CourseKey course, CourseMode mode, Change change,
                               AtomicBoolean exists) {
        SQLException[] conflict = new SQLException[1];
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            if (!exists.get()) {
                Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
                Long id = insert(s, user, course, true, mode, now, conflict);
                if (id != null) {
                    Enrollment created = VALUES.enrollment(id, user, course, mode, true, now);
                    History.write(s, History.CREATED, created, change);
                    s.emit(EnrollmentEvent.Type.CREATED, null, created);
                    return created;
                }
                exists.set(true);
                if (s.restartable() && s.db().dialect().isMySqlFamily()) {
                    // InnoDB: the insert that met the row holds a shared lock on it; upgrading it to the exclusive
                    // lock below deadlocks with every other caller doing the same. Roll back (dropping the shared
                    // lock) and start over: the new transaction locks the row exclusively at once.
                    throw s.restart();
                }
            }
            // Lock the existing row (a record lock: it exists, so no gap lock), then change what differs.
            Optional<Found> locked = selectForUpdate(s, user, course);
            if (locked.isPresent()) {
                Found before = locked.get();
                if (before.is(true, mode)) {
                    return before.typed(user);
                }
                // A row in a mode the library does not know is overwritten; its event has no typed "before".
                Enrollment after = update(s, before.id(), user, before.course(), before.created(), true, mode);
                History.write(s, History.CHANGED, after, change);
                s.emit(before.active() ? EnrollmentEvent.Type.MODE_CHANGED : EnrollmentEvent.Type.ACTIVATED,
                        before.typed(user), after);
                return after;
            }
            exists.set(false);   // deleted in between: insert it
        }
        throw vanished("enroll", conflict[0]);
    }

    /**
     * Makes the row active in a capped course, in the session's transaction: lock the course's seat, lock the row,
     * and, when this activates an enrollment, count the course's active ones and refuse at the limit. Writes history
     * and an event only for a change.
     *
     * @param mode          the mode to set; null to keep an existing row's mode (audit for a new row)
     * @param max           the course's limit
     * @param fresh         whether the seat lock is the transaction's first statement (see {@link Seats#active})
     * @param absent        whether a read just before saw no row: then try the insert first, without locking
     *                      the missing row (on InnoDB a gap lock, which two enrollments of one user in two courses
     *                      may share, and deadlock on)
     * @param throwWhenFull whether a full course throws {@link CourseFullException}; else the result is empty
     * @return the enrollment after the call; empty when the course is full and {@code throwWhenFull} is false
     */
    static Optional<Enrollment> activateCapped(Session s, User user, CourseKey course, CourseMode mode,
                                               Change change, long max, boolean fresh, boolean absent,
                                               String operation, boolean throwWhenFull) {
        Seats.lock(s, course);
        boolean tryInsert = absent;
        SQLException[] conflict = new SQLException[1];
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            // The enrollment row is locked after the seat (seat first, then enrollment rows, everywhere). Other
            // activations in the course wait for the seat, so only an inactive row of getOrCreate's can appear
            // meanwhile: the insert then meets it, and the next round locks it.
            boolean looked = !tryInsert;
            Optional<Found> locked = looked ? selectForUpdate(s, user, course) : Optional.empty();
            tryInsert = false;
            if (locked.isPresent() && locked.get().active()) {
                Found before = locked.get();
                if (mode == null || before.mode() == mode) {
                    // nothing to change (an active row of a mode the library does not know: left as it is)
                    return Optional.ofNullable(before.typed(user));
                }
                // already holds a seat: never refused
                Enrollment after = update(s, before.id(), user, before.course(), before.created(), true, mode);
                History.write(s, History.CHANGED, after, change);
                s.emit(EnrollmentEvent.Type.MODE_CHANGED, before.typed(user), after);
                return Optional.of(after);
            }
            if (Seats.active(s, course, fresh) >= max) {
                if (!looked) {
                    continue;   // a call that held the seat before may have enrolled this user: look first
                }
                if (throwWhenFull) {
                    throw new CourseFullException(operation, course, max);
                }
                return Optional.empty();
            }
            if (locked.isPresent()) {
                Found before = locked.get();
                CourseMode target = mode != null ? mode : before.mode() != null ? before.mode() : CourseMode.AUDIT;
                Enrollment after = update(s, before.id(), user, before.course(), before.created(), true, target);
                History.write(s, History.CHANGED, after, change);
                s.emit(EnrollmentEvent.Type.ACTIVATED, before.typed(user), after);
                return Optional.of(after);
            }
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            CourseMode target = mode == null ? CourseMode.AUDIT : mode;
            Long id = insert(s, user, course, true, target, now, conflict);
            if (id != null) {
                Enrollment created = VALUES.enrollment(id, user, course, target, true, now);
                History.write(s, History.CREATED, created, change);
                s.emit(EnrollmentEvent.Type.CREATED, null, created);
                return Optional.of(created);
            }
            // Created meanwhile (an inactive row of getOrCreate's, which takes no seat): lock it and go round.
        }
        throw vanished(operation, conflict[0]);
    }

    /**
     * Enrolls the user through an auto-enroll allowance, in the session's transaction: creates an active audit row,
     * or activates an inactive row keeping its mode, and leaves an active row as it is (Open edX never downgrades a
     * paying learner). In a capped course that is full, enrolls nobody (or throws, if asked to).
     *
     * @param throwWhenFull whether a full course throws {@link CourseFullException}; else the result is empty
     * @return the enrollment, or empty when the course was full
     */
    static Optional<Enrollment> autoEnroll(Session s, User user, CourseKey course, Change change,
                                           boolean throwWhenFull) {
        OptionalLong max = s.db().maxActive(course);
        if (max.isPresent()) {
            return activateCapped(s, user, course, null, change, max.getAsLong(), false, false, "allow",
                    throwWhenFull);
        }
        Optional<Found> current = select(s, user, course);
        if (current.isPresent() && current.get().active()) {
            return Optional.ofNullable(current.get().typed(user));
        }
        SQLException[] conflict = new SQLException[1];
        if (current.isEmpty()) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Long id = insert(s, user, course, true, CourseMode.AUDIT, now, conflict);
            if (id != null) {
                Enrollment created = VALUES.enrollment(id, user, course, CourseMode.AUDIT, true, now);
                History.write(s, History.CREATED, created, change);
                s.emit(EnrollmentEvent.Type.CREATED, null, created);
                return Optional.of(created);
            }
        }
        Optional<Found> locked = selectForUpdate(s, user, course);
        if (locked.isEmpty()) {
            throw vanished("allow", conflict[0]);
        }
        Found before = locked.get();
        if (before.active()) {
            return Optional.ofNullable(before.typed(user));
        }
        CourseMode keep = before.mode() != null ? before.mode() : CourseMode.AUDIT;
        Enrollment after = update(s, before.id(), user, before.course(), before.created(), true, keep);
        History.write(s, History.CHANGED, after, change);
        s.emit(EnrollmentEvent.Type.ACTIVATED, before.typed(user), after);
        return Optional.of(after);
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
        int batchSize = scope.db().batchSize();
        if (users instanceof java.util.Collection) {
            // Known in full: every element is checked before the first batch is written.
            for (User u : users) {
                checkBulkUser(u);
            }
        }
        BulkResult totals = new BulkResult(0, 0, 0);
        Iterator<User> it = users.iterator();
        // Each batch in user id order, so that overlapping bulk runs lock rows in one order (no deadlock cycle).
        Map<Long, User> batch = new java.util.TreeMap<>();
        while (it.hasNext()) {
            batch.clear();
            while (it.hasNext() && batch.size() < batchSize) {
                User u = it.next();
                checkBulkUser(u);
                batch.putIfAbsent(u.id().getAsLong(), u);
            }
            List<User> chunk = List.copyOf(batch.values());
            BulkResult done = writeBatch(course, mode, chunk, scope.db().maxActive(course));
            totals = totals.plus(done);
            progress.accept(totals);
        }
        return totals;
    }

    private void checkBulkUser(User u) {
        if (u == null) {
            throw new InvalidInputException("users", "must not contain null");
        }
        if (!u.isSaved()) {
            throw new InvalidInputException("users", "must all be saved (an unsaved user was found)");
        }
        Checks.requireOwned(u, scope.db(), "users");
    }

    /**
     * Writes one batch of enrollAll in its own transaction, retried within the bounded retry; when the batch still
     * meets deadlocks or certification conflicts (writers on other Galera nodes touching some of its rows: every
     * concurrent commit on any of them aborts the whole batch), it is split in halves, each written (and, if need
     * be, split) the same way, down to single users, whose failure then ends the call. Each half is a transaction of
     * its own, so a commit never covers more rows than the retry that made it through; the counts are the same as
     * for one transaction. Inside a caller's transaction nothing is retried or split.
     */
    private BulkResult writeBatch(CourseKey course, CourseMode mode, List<User> chunk, OptionalLong max) {
        try {
            return scope.write("enrollAll", true, s -> enrollBatch(s, course, mode, chunk, change, max));
        } catch (DatabaseException e) {
            if (chunk.size() < 2 || !scope.topLevel() || !Failures.isRetryable(e)) {
                throw e;
            }
            LOG.debug("enrollAll: a batch of {} kept meeting conflicts after {} attempts; splitting it in halves",
                    chunk.size(), e.attempts());
            int half = chunk.size() / 2;
            BulkResult first = writeBatch(course, mode, chunk.subList(0, half), max);
            return first.plus(writeBatch(course, mode, chunk.subList(half, chunk.size()), max));
        }
    }

    /**
     * One batch of enrollAll, in one transaction: read the batch's rows; insert the missing ones in one
     * multi-row insert-ignore; lock and activate the inactive ones; write their history in one insert each.
     */
    private static BulkResult enrollBatch(Session s, CourseKey course, CourseMode mode, List<User> batch,
                                          Change change, OptionalLong max) {
        if (max.isEmpty() && s.db().dialect() != Dialect.H2) {
            // server-side history, no pre-read; a capped course seats users one by one below instead
            return BulkEnrollment.enroll(s, course, mode, batch, change);
        }
        if (max.isPresent()) {
            Seats.lock(s, course);   // first, before any read: see Seats.active
        }
        String courseId = course.toString();
        Map<Long, Record6<Long, Long, Boolean, String, LocalDateTime, String>> existing = new HashMap<>();
        s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                .from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(batch.stream().map(u -> u.id().getAsLong())
                        .collect(Collectors.toList()))))
                .forEach(r -> existing.put(r.value2(), r));
        List<User> users = batch;
        long refused = 0;
        if (max.isPresent()) {
            // Seat users in input order while there is room; the others are left as they are.
            long room = max.getAsLong() - Seats.active(s, course, s.restartable());
            users = new ArrayList<>();
            for (User u : batch) {
                var row = existing.get(u.id().getAsLong());
                if (row != null && row.value3()) {
                    users.add(u);            // already active: holds its seat
                } else if (room > 0) {
                    users.add(u);
                    room--;
                } else {
                    existing.remove(u.id().getAsLong());
                    refused++;
                }
            }
        }
        Map<Long, User> byId = new LinkedHashMap<>();
        users.forEach(u -> byId.put(u.id().getAsLong(), u));

        List<Enrollment> created = new ArrayList<>();
        List<User> missing = users.stream().filter(u -> !existing.containsKey(u.id().getAsLong()))
                .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Map<Long, Long> ids = insertAll(s, course, mode, missing, now);
            if (ids.size() < missing.size()) {
                if (s.restartable()) {
                    // Another writer created some of these rows since the read: start the batch over, so they
                    // are read as existing and counted and activated exactly.
                    throw s.restart();
                }
                // A caller's transaction cannot start over: lock the rows others created and treat them as
                // existing ones (activated if inactive).
                List<Long> raced = missing.stream().map(u -> u.id().getAsLong()).filter(id -> !ids.containsKey(id))
                        .collect(Collectors.toList());
                s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                        .from(E)
                        .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(raced)))
                        .forUpdate()
                        .forEach(r -> existing.put(r.value2(), r));
            }
            for (User u : missing) {
                Long id = ids.get(u.id().getAsLong());
                if (id != null) {
                    created.add(VALUES.enrollment(id, u, course, mode, true, now));
                }
            }
        }

        List<Long> inactive = existing.values().stream().filter(r -> !r.value3()).map(r -> r.value1())
                .collect(Collectors.toList());
        // Every statement names user_id too, so a router sharding by user_id (docs/SCALING.md) sends it only to
        // the shards of the batch's users.
        List<Long> inactiveUsers = existing.values().stream().filter(r -> !r.value3()).map(r -> r.value2())
                .collect(Collectors.toList());
        List<Enrollment[]> reactivated = new ArrayList<>();
        if (!inactive.isEmpty()) {
            var locked = s.dsl().select(E.ID, E.USER_ID, E.IS_ACTIVE, E.MODE, E.CREATED, E.COURSE_ID)
                    .from(E).where(E.ID.in(inactive).and(E.USER_ID.in(inactiveUsers)).and(E.IS_ACTIVE.isFalse()))
                    .forUpdate().fetch();
            if (!locked.isEmpty()) {
                s.dsl().update(E).set(E.IS_ACTIVE, true).set(E.MODE, mode.slug())
                        .where(E.ID.in(locked.map(r -> r.value1())).and(E.USER_ID.in(locked.map(r -> r.value2()))))
                        .execute();
            }
            for (var r : locked) {
                User u = byId.get(r.value2());
                CourseKey stored = Rows.stored(course, r.value6(), r.value1());
                CourseMode was = Rows.modeOrNull(r.value4(), r.value1());
                Enrollment before = VALUES.enrollment(r.value1(), u, stored, was == null ? mode : was,
                        false, Rows.instant(r.value5()));
                Enrollment after = VALUES.enrollment(r.value1(), u, stored, mode, true, before.created());
                reactivated.add(new Enrollment[] {before, after});
            }
        }
        History.writeAll(s, History.CREATED, created.stream().map(History.Row::of).collect(Collectors.toList()),
                change);
        History.writeAll(s, History.CHANGED, reactivated.stream().map(p -> History.Row.of(p[1]))
                .collect(Collectors.toList()), change);
        created.forEach(e -> s.emit(EnrollmentEvent.Type.CREATED, null, e));
        reactivated.forEach(p -> s.emit(EnrollmentEvent.Type.ACTIVATED, p[0], p[1]));
        long handled = created.size() + reactivated.size();
        return new BulkResult(created.size(), users.size() - handled, reactivated.size(), refused);
    }

    /**
     * Inserts active rows for the users, ignoring those that exist; returns user id to new row id for the rows it
     * inserted.
     */
    private static Map<Long, Long> insertAll(Session s, CourseKey course, CourseMode mode, List<User> users,
                                             Instant now) {
        Map<Long, Long> ids = new HashMap<>();
        String courseId = course.toString();
        Field<LocalDateTime> created = s.db().timestamp(now);
        Dialect dialect = s.db().dialect();
        if (dialect == Dialect.H2) {
            for (User u : users) {
                Long id = insert(s, u, course, true, mode, now, new SQLException[1]);
                if (id != null) {
                    ids.put(u.id().getAsLong(), id);
                } else if (select(s, u, course).isEmpty()) {
                    // H2 reports every unique violation alike: only the user's own row in the course may stop it.
                    throw new DatabaseException("enrollAll", 1, "enrollAll failed and wrote nothing of its batch: "
                            + "a row was refused by a unique index other than (user_id, course_id)", null);
                }
            }
            return ids;
        }
        var insert = s.dsl().insertInto(E, E.COURSE_ID, E.CREATED, E.IS_ACTIVE, E.MODE, E.USER_ID);
        for (User u : users) {
            insert = insert.values(DSL.val(courseId, E.COURSE_ID), created, DSL.val(true, E.IS_ACTIVE),
                    DSL.val(mode.slug(), E.MODE), DSL.val(u.id().getAsLong(), E.USER_ID));
        }
        if (dialect == Dialect.POSTGRES) {
            insert.onConflict(E.USER_ID, E.COURSE_ID).doNothing().returningResult(E.ID, E.USER_ID)
                    .fetch().forEach(r -> ids.put(r.value2(), r.value1()));
            return ids;
        }
        int inserted = insert.onDuplicateKeyIgnore().execute();   // MySQL, MariaDB: one INSERT IGNORE
        if (inserted == 0) {
            return ids;
        }
        List<Long> userIds = users.stream().map(u -> u.id().getAsLong()).collect(Collectors.toList());
        var rows = s.dsl().select(E.ID, E.USER_ID, E.CREATED, E.IS_ACTIVE, E.MODE).from(E)
                .where(E.COURSE_ID.eq(courseId).and(E.USER_ID.in(userIds))).fetch();
        if (inserted == users.size()) {
            rows.forEach(r -> ids.put(r.value2(), r.value1()));
        } else {
            // Some rows were created by another writer meanwhile, and this is a caller's transaction that cannot
            // start over: ours are the active rows in our mode carrying our creation time.
            LocalDateTime ours = LocalDateTime.ofInstant(now, java.time.ZoneOffset.UTC);
            rows.stream().filter(r -> ours.equals(r.value3()) && r.value4() && mode.slug().equals(r.value5()))
                    .forEach(r -> ids.put(r.value2(), r.value1()));
        }
        return ids;
    }

    /**
     * Inserts the row unless (user_id, course_id) exists; returns its id, or null when a unique index refused it
     * (then {@code conflict[0]} holds the violation where the dialect reports one).
     */
    private static Long insert(Session s, User user, CourseKey course, boolean active, CourseMode mode, Instant now,
                               SQLException[] conflict) {
        String rendered = s.db().statements().insertEnrollment;
        if (rendered != null) {
            // MySQL/MariaDB: rendered once; a duplicate key fails the statement alone, the transaction goes on.
            try (PreparedStatement ps = s.connection().prepareStatement(rendered,
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, course.toString());
                ps.setString(2, Database.mysqlText(now));
                ps.setBoolean(3, active);
                ps.setString(4, mode.slug());
                ps.setLong(5, user.id().getAsLong());
                try {
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (Failures.isUniqueViolation(e)) {
                        conflict[0] = e;
                        return null;
                    }
                    throw e;
                }
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new IllegalStateException("the database returned no id for an inserted enrollment");
                    }
                    return keys.getLong(1);
                }
            } catch (SQLException e) {
                throw new DataAccessException("insert enrollment", e);
            }
        }
        var insert = s.dsl().insertInto(E)
                .set(E.COURSE_ID, course.toString())
                .set(E.CREATED, s.db().timestamp(now))
                .set(E.IS_ACTIVE, active)
                .set(E.MODE, mode.slug())
                .set(E.USER_ID, user.id().getAsLong());
        return Inserts.ignoringDuplicate(s, insert, E.ID, conflict, E.USER_ID, E.COURSE_ID);
    }

    private static Enrollment update(Session s, long id, User user, CourseKey course, Instant created,
                                     boolean active, CourseMode mode) {
        // user_id as well as the id: the statement routes to the user's shard (docs/SCALING.md).
        s.dsl().update(E).set(E.IS_ACTIVE, active).set(E.MODE, mode.slug())
                .where(E.ID.eq(id).and(E.USER_ID.eq(user.id().getAsLong()))).execute();
        return VALUES.enrollment(id, user, course, mode, active, created);
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    @Override
    public Optional<Enrollment> find(User user, CourseKey course) {
        Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        return scope.read("find", s -> select(s, user, course)).map(f -> f.typed(user));
    }

    @Override
    public boolean isEnrolled(User user, CourseKey course) {
        long userId = Checks.savedUserId(user, scope.db());
        Checks.notNull(course, "course");
        return scope.read("isEnrolled", s -> {
            try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().isEnrolled)) {
                ps.setLong(1, userId);
                ps.setString(2, course.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new DataAccessException("isEnrolled", e);
            }
        });
    }

    @Override
    public List<Enrollment> forUser(User user) {
        long userId = Checks.savedUserId(user, scope.db());
        return scope.read("forUser", s -> s.dsl()
                .select(E.ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED)
                .from(E)
                .where(E.USER_ID.eq(userId))
                .orderBy(E.ID)
                .fetch()
                .stream()
                .map(r -> {
                    CourseKey key = Rows.courseKeyOrNull(r.value2(), "student_courseenrollment", r.value1());
                    CourseMode mode = Rows.modeOrNull(r.value3(), r.value1());
                    return key == null || mode == null ? null : VALUES.enrollment(r.value1(), user, key,
                            mode, r.value4(), Rows.instant(r.value5()));
                })
                .filter(java.util.Objects::nonNull)
                .collect(Collectors.toList()));
    }

    @Override
    public Stream<Enrollment> forCourse(CourseKey course) {
        Checks.notNull(course, "course");
        String courseId = course.toString();
        return scope.stream("forCourse", dsl -> dsl
                        .select(E.ID, E.MODE, E.IS_ACTIVE, E.CREATED, U.ID, U.USERNAME, U.EMAIL, E.COURSE_ID)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(E.COURSE_ID.eq(courseId))
                        .orderBy(E.ID),
                (Record8<Long, String, Boolean, LocalDateTime, Long, String, String, String> r) -> {
                    // Rows in a mode the library does not know are left out (and logged once per mode).
                    CourseMode mode = Rows.modeOrNull(r.value2(), r.value1());
                    return mode == null ? null : VALUES.enrollment(r.value1(),
                            VALUES.savedUser(r.value5(), r.value6(), r.value7(), scope.db().origin()),
                            Rows.stored(course, r.value8(), r.value1()), mode, r.value3(), Rows.instant(r.value4()));
                }).filter(java.util.Objects::nonNull);
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
                        .select(U.ID, U.USERNAME, U.EMAIL)
                        .from(E)
                        .join(U).on(U.ID.eq(E.USER_ID))
                        .where(condition)
                        .orderBy(E.ID),
                r -> UserStore.toUser(scope.db(), r));
    }

    @Override
    public Map<CourseMode, Long> countsByMode(CourseKey course) {
        Checks.notNull(course, "course");
        return scope.read("countsByMode", s -> {
            Map<CourseMode, Long> counts = new EnumMap<>(CourseMode.class);
            s.dsl().select(E.MODE, org.jooq.impl.DSL.count())
                    .from(E)
                    .where(E.COURSE_ID.eq(course.toString()).and(E.IS_ACTIVE.isTrue()))
                    .groupBy(E.MODE)
                    .forEach(r -> {
                        CourseMode mode = Rows.modeOrNull(r.value1(), 0);   // unknown modes are left out
                        if (mode != null) {
                            counts.merge(mode, r.value2().longValue(), Long::sum);
                        }
                    });
            return counts;
        });
    }

    /**
     * One stored row of a (user, course): its mode is null when the row is in a mode the library does not know
     * (Open edX sites add modes), which typed results leave out and {@code enroll}/{@code changeMode} overwrite.
     */
    record Found(long id, CourseMode mode, String storedMode, boolean active, Instant created, CourseKey course) {
        boolean is(boolean active, CourseMode mode) {
            return this.active == active && this.mode == mode;
        }

        /** The row as an {@link Enrollment}, or null when its mode is not one the library knows. */
        Enrollment typed(User user) {
            return mode == null ? null : VALUES.enrollment(id, user, course, mode, active, created);
        }

        /** The row as an {@link Enrollment}; an operation that must return one cannot go on with an untyped row. */
        Enrollment typedOrThrow(String operation, User user) {
            if (mode == null) {
                throw new DatabaseException(operation, 1, operation + " failed: student_courseenrollment row " + id
                        + " is in a mode the library does not know (written by another application); it is left "
                        + "as it is. enroll() or changeMode() overwrite its mode with one of CourseMode's", null);
            }
            return typed(user);
        }
    }

    static Optional<Found> select(Session s, User user, CourseKey course) {
        try (PreparedStatement ps = s.connection().prepareStatement(s.db().statements().selectEnrollment)) {
            ps.setLong(1, user.id().getAsLong());
            ps.setString(2, course.toString());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long id = rs.getLong(1);
                String mode = rs.getString(2);
                return Optional.of(new Found(id, Rows.modeOrNull(mode, id), mode, rs.getBoolean(3),
                        Rows.instant(rs.getObject(4, LocalDateTime.class)), Rows.stored(course, rs.getString(5), id)));
            }
        } catch (SQLException e) {
            throw new DataAccessException("select enrollment", e);
        }
    }

    static Optional<Found> selectForUpdate(Session s, User user, CourseKey course) {
        return query(s, user, course).forUpdate().fetchOptional().map(r -> new Found(r.value1(),
                Rows.modeOrNull(r.value2(), r.value1()), r.value2(), r.value3(), Rows.instant(r.value4()),
                Rows.stored(course, r.value5(), r.value1())));
    }

    private static SelectConditionStep<Record5<Long, String, Boolean, LocalDateTime, String>> query(Session s,
                                                                                                   User user,
                                                                                                   CourseKey course) {
        return s.dsl()
                .select(E.ID, E.MODE, E.IS_ACTIVE, E.CREATED, E.COURSE_ID)
                .from(E)
                .where(E.USER_ID.eq(user.id().getAsLong()).and(E.COURSE_ID.eq(course.toString())));
    }

    private static NotFoundException notFound(String operation, User user, CourseKey course) {
        return new NotFoundException(operation + ": user " + user.id().getAsLong() + " has no enrollment in "
                + course);
    }

    /**
     * The insert met a unique index each round, and no row of the (user, course) could then be read: either another
     * unique index refuses the row (the database's message names it), or another writer deleted it each time.
     */
    private static DatabaseException vanished(String operation, SQLException conflict) {
        if (conflict != null) {
            return new DatabaseException(operation, MAX_ROUNDS, operation + " failed: student_courseenrollment "
                    + "refused the row on a unique index, yet no row of this user and course exists: another "
                    + "unique index refuses it, or another writer deleted the row each time (" + MAX_ROUNDS
                    + " tries; " + JdbcUrls.redact(conflict.getMessage()) + ")", conflict);
        }
        return new DatabaseException(operation, MAX_ROUNDS, operation + " failed: the enrollment row was deleted "
                + "by another writer each time it was read, " + MAX_ROUNDS + " times", null);
    }
}
