package dev.enrollment.internal;

import dev.enrollment.CourseFullException;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.User;

import org.jooq.impl.DSL;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * The writes of one enrollment, in the session's transaction: create it, activate it (in a capped course, taking a
 * seat), change it; each writes a history row and records an event only when it changed something. Race-safe: an
 * insert that meets the row reads or locks it instead (rule 3), and a row deleted in between is inserted again, a
 * bounded number of times.
 */
final class EnrollmentChanges {
    private static final Values.Factory VALUES = Values.factory();
    /** Insert-then-read rounds before giving up when a row keeps vanishing under a concurrent delete. */
    private static final int MAX_ROUNDS = 3;

    private EnrollmentChanges() {
    }

    /** Creates the (inactive, audit) row unless it exists; returns the row either way. */
    static Enrollment createIfAbsent(Session s, User user, CourseKey course, Change change) {
        SQLException[] conflict = new SQLException[1];
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Optional<Enrollment> created = create(s, user, course, false, CourseMode.AUDIT, change, conflict);
            if (created.isPresent()) {
                return created.get();
            }
            // The row exists. A plain read sees it unless this transaction's snapshot is older than the row (only
            // inside a caller's transaction); then a locking read gets the latest committed version.
            Optional<EnrollmentRow> existing = EnrollmentTable.find(s, user, course);
            if (existing.isEmpty() && s.db().dialect().isMySqlFamily()) {
                existing = EnrollmentTable.lock(s, user, course);
            }
            if (existing.isPresent()) {
                return existing.get().typedOrThrow("getOrCreate", user, course);
            }
            // It was deleted before we could read it: insert again.
        }
        throw vanished("getOrCreate", conflict[0]);
    }

    /**
     * Makes the row active in the mode: insert it if absent, else lock it and change what differs.
     *
     * @param exists whether a read saw the row: then lock it at once instead of trying to insert; set when an
     *               insert finds the row, so that a restarted transaction goes straight to the lock
     */
    static Enrollment enroll(Session s, User user, CourseKey course, CourseMode mode, Change change,
                             AtomicBoolean exists) {
        SQLException[] conflict = new SQLException[1];
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            if (!exists.get()) {
                Optional<Enrollment> created = create(s, user, course, true, mode, change, conflict);
                if (created.isPresent()) {
                    return created.get();
                }
                exists.set(true);
                if (s.restartable() && s.db().dialect().isMySqlFamily()) {
                    // InnoDB: the insert that met the row holds a shared lock on it; see Transactions.Restart.
                    throw s.restart();
                }
            }
            // Lock the existing row (a record lock: it exists, so no gap lock), then change what differs.
            Optional<EnrollmentRow> locked = EnrollmentTable.lock(s, user, course);
            if (locked.isPresent()) {
                EnrollmentRow before = locked.get();
                if (before.is(true, mode)) {
                    return before.typed(user, course);
                }
                return change(s, before, user, course, true, mode, change,
                        before.active() ? EnrollmentEvent.Type.MODE_CHANGED : EnrollmentEvent.Type.ACTIVATED);
            }
            exists.set(false);   // deleted in between: insert it
        }
        throw vanished("enroll", conflict[0]);
    }

    /**
     * Makes the row active in a capped course: lock the course's seat, lock the row, and, when this activates an
     * enrollment, count the course's active ones and refuse at the limit.
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
            Optional<EnrollmentRow> locked = looked ? EnrollmentTable.lock(s, user, course) : Optional.empty();
            tryInsert = false;
            if (locked.isPresent() && locked.get().active()) {
                EnrollmentRow before = locked.get();
                if (mode == null || before.knownMode() == mode) {
                    // nothing to change (an active row of a mode the library does not know: left as it is)
                    return Optional.ofNullable(before.typed(user, course));
                }
                // already holds a seat: never refused
                return Optional.of(change(s, before, user, course, true, mode, change,
                        EnrollmentEvent.Type.MODE_CHANGED));
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
                EnrollmentRow before = locked.get();
                CourseMode target = mode != null ? mode
                        : before.knownMode() != null ? before.knownMode() : CourseMode.AUDIT;
                return Optional.of(change(s, before, user, course, true, target, change,
                        EnrollmentEvent.Type.ACTIVATED));
            }
            Optional<Enrollment> created = create(s, user, course, true, mode == null ? CourseMode.AUDIT : mode,
                    change, conflict);
            if (created.isPresent()) {
                return created;
            }
            // Created meanwhile (an inactive row of getOrCreate's, which takes no seat): lock it and go round.
        }
        throw vanished(operation, conflict[0]);
    }

    /**
     * Enrolls the user through an auto-enroll allowance: creates an active audit row, or activates an inactive row
     * keeping its mode, and leaves an active row as it is (Open edX never downgrades a paying learner). In a capped
     * course that is full, enrolls nobody (or throws, if asked to).
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
        Optional<EnrollmentRow> current = EnrollmentTable.find(s, user, course);
        if (current.isPresent() && current.get().active()) {
            return Optional.ofNullable(current.get().typed(user, course));
        }
        SQLException[] conflict = new SQLException[1];
        if (current.isEmpty()) {
            Optional<Enrollment> created = create(s, user, course, true, CourseMode.AUDIT, change, conflict);
            if (created.isPresent()) {
                return created;
            }
        }
        EnrollmentRow before = EnrollmentTable.lock(s, user, course)
                .orElseThrow(() -> vanished("allow", conflict[0]));
        if (before.active()) {
            return Optional.ofNullable(before.typed(user, course));
        }
        CourseMode keep = before.knownMode() != null ? before.knownMode() : CourseMode.AUDIT;
        return Optional.of(change(s, before, user, course, true, keep, change, EnrollmentEvent.Type.ACTIVATED));
    }

    /**
     * Activates, in the mode, those of the rows that are still inactive once locked (bulk work: read before, without
     * a lock), and writes their history ({@code ~}); the caller records the events.
     *
     * @param byId    the batch's users by id
     * @param ids     the rows' ids
     * @param userIds their users' ids (every statement names user_id, so it routes to the users' shards)
     * @return the activated rows' before and after, in pairs
     */
    static List<Enrollment[]> activateAll(Session s, CourseKey course, CourseMode mode, Map<Long, User> byId,
                                          List<Long> ids, List<Long> userIds, Change change) {
        List<Enrollment[]> activated = new ArrayList<>();
        if (ids.isEmpty()) {
            return activated;
        }
        List<EnrollmentRow> locked = EnrollmentTable.select(s, STUDENT_COURSEENROLLMENT.ID.in(ids)
                .and(STUDENT_COURSEENROLLMENT.USER_ID.in(userIds)).and(STUDENT_COURSEENROLLMENT.IS_ACTIVE.isFalse()),
                true);
        if (locked.isEmpty()) {
            return activated;
        }
        EnrollmentTable.updateAll(s, locked, true, mode.slug(), DSL.noCondition());
        List<EnrollmentRow> history = new ArrayList<>();
        for (EnrollmentRow r : locked) {
            User u = byId.get(r.userId());
            CourseKey stored = r.course(course);
            CourseMode was = r.knownMode();
            Enrollment before = VALUES.enrollment(r.id(), u, stored, was == null ? mode : was, false, r.created());
            Enrollment after = VALUES.enrollment(r.id(), u, stored, mode, true, r.created());
            activated.add(new Enrollment[] {before, after});
            history.add(EnrollmentRow.of(after));
        }
        History.writeAll(s, History.CHANGED, history, change);
        return activated;
    }

    /**
     * Changes a locked row's is_active and mode, writes its history ({@code ~}) and records the event. A row in a
     * mode the library does not know is overwritten; its event has no typed "before".
     *
     * @return the enrollment after the change
     */
    static Enrollment change(Session s, EnrollmentRow before, User user, CourseKey course, boolean active,
                             CourseMode mode, Change change, EnrollmentEvent.Type type) {
        Enrollment after = EnrollmentTable.update(s, before.id(), user, before.course(course), before.created(),
                active, mode);
        History.write(s, History.CHANGED, after, change);
        s.emit(type, before.typed(user, course), after);
        return after;
    }

    /** Inserts the row unless it exists, with its history ({@code +}) and event; empty when a unique index refused it. */
    private static Optional<Enrollment> create(Session s, User user, CourseKey course, boolean active,
                                               CourseMode mode, Change change, SQLException[] conflict) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Long id = EnrollmentTable.insert(s, user, course, active, mode, now, conflict);
        if (id == null) {
            return Optional.empty();
        }
        Enrollment created = VALUES.enrollment(id, user, course, mode, active, now);
        History.write(s, History.CREATED, created, change);
        s.emit(EnrollmentEvent.Type.CREATED, null, created);
        return Optional.of(created);
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
