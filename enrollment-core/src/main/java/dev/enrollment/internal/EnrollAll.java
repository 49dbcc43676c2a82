package dev.enrollment.internal;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.InvalidInputException;
import dev.enrollment.User;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.impl.DSL;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * {@code enrollAll}: the users checked (a {@code Collection} in full before anything is written, a lazy input a batch
 * at a time), read a batch at a time in user-id order (so that overlapping bulk runs lock rows in one order), each
 * batch written in one transaction, split in halves when it keeps meeting conflicts. A batch goes through
 * {@link BulkEnrollment} (one multi-row insert, history written by the server) on MySQL/MariaDB/PostgreSQL when the
 * course has no capacity; on H2, and in a capped course (seats are counted per user), through the row-by-row path
 * here.
 */
final class EnrollAll {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EnrollAll.class);
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;

    private final Scope scope;
    private final Change change;

    EnrollAll(Scope scope, Change change) {
        this.scope = scope;
        this.change = change;
    }

    /**
     * Enrolls the users, a batch per transaction.
     *
     * @param course   the course
     * @param mode     the mode
     * @param users    saved users of this database
     * @param progress told the totals after each batch
     * @return the totals
     */
    BulkResult run(CourseKey course, CourseMode mode, Iterable<User> users, Consumer<BulkResult> progress) {
        int batchSize = scope.db().batchSize();
        if (users instanceof Collection) {
            // Known in full: every element is checked before the first batch is written.
            for (User u : users) {
                check(u);
            }
        }
        BulkResult totals = new BulkResult(0, 0, 0);
        Iterator<User> it = users.iterator();
        // Each batch in user id order, so that overlapping bulk runs lock rows in one order (no deadlock cycle).
        Map<Long, User> batch = new TreeMap<>();
        while (it.hasNext()) {
            batch.clear();
            while (it.hasNext() && batch.size() < batchSize) {
                User u = it.next();
                check(u);
                batch.putIfAbsent(u.id().getAsLong(), u);
            }
            BulkResult done = write(course, mode, List.copyOf(batch.values()), scope.db().maxActive(course));
            totals = totals.plus(done);
            progress.accept(totals);
        }
        return totals;
    }

    private void check(User u) {
        if (u == null) {
            throw new InvalidInputException("users", "must not contain null");
        }
        if (!u.isSaved()) {
            throw new InvalidInputException("users", "must all be saved (an unsaved user was found)");
        }
        Checks.requireOwned(u, scope.db(), "users");
    }

    /**
     * Writes one batch in its own transaction, retried within the bounded retry; when the batch still meets
     * deadlocks or certification conflicts (writers on other Galera nodes touching some of its rows: every
     * concurrent commit on any of them aborts the whole batch), it is split in halves, each written (and, if need
     * be, split) the same way, down to single users, whose failure then ends the call. Each half is a transaction of
     * its own, so a commit never covers more rows than the retry that made it through; the counts are the same as
     * for one transaction. Inside a caller's transaction nothing is retried or split.
     */
    private BulkResult write(CourseKey course, CourseMode mode, List<User> chunk, OptionalLong max) {
        try {
            return scope.write("enrollAll", true, s -> batch(s, course, mode, chunk, max));
        } catch (DatabaseException e) {
            if (chunk.size() < 2 || !scope.topLevel() || !Failures.isRetryable(e)) {
                throw e;
            }
            LOG.debug("enrollAll: a batch of {} kept meeting conflicts after {} attempts; splitting it in halves",
                    chunk.size(), e.attempts());
            int half = chunk.size() / 2;
            BulkResult first = write(course, mode, chunk.subList(0, half), max);
            return first.plus(write(course, mode, chunk.subList(half, chunk.size()), max));
        }
    }

    /**
     * One batch, in one transaction: read the batch's rows; insert the missing ones; lock and activate the inactive
     * ones; write their history in one insert each.
     */
    private BulkResult batch(Session s, CourseKey course, CourseMode mode, List<User> batch, OptionalLong max) {
        if (max.isEmpty() && s.db().dialect() != Dialect.H2) {
            // server-side history, no pre-read; a capped course seats users one by one below instead
            return BulkEnrollment.enroll(s, course, mode, batch, change);
        }
        if (max.isPresent()) {
            Seats.lock(s, course);   // first, before any read: see Seats.active
        }
        String courseId = course.toString();
        Map<Long, EnrollmentRow> existing = new HashMap<>();
        EnrollmentTable.ofUsers(s, courseId, ids(batch), false).forEach(r -> existing.put(r.userId(), r));
        List<User> users = batch;
        long refused = 0;
        if (max.isPresent()) {
            // Seat users in input order while there is room; the others are left as they are.
            long room = max.getAsLong() - Seats.active(s, course, s.restartable());
            users = new ArrayList<>();
            for (User u : batch) {
                EnrollmentRow row = existing.get(u.id().getAsLong());
                if (row != null && row.active()) {
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
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Map<Long, Long> ids = insertAll(s, course, mode, missing, now);
            if (ids.size() < missing.size()) {
                if (s.restartable()) {
                    // Another writer created some of these rows since the read: start the batch over, so they
                    // are read as existing and counted and activated exactly.
                    throw s.restart();
                }
                // A caller's transaction cannot start over: lock the rows others created and treat them as
                // existing ones (activated if inactive).
                List<Long> raced = ids(missing).stream().filter(id -> !ids.containsKey(id))
                        .collect(Collectors.toList());
                EnrollmentTable.ofUsers(s, courseId, raced, true).forEach(r -> existing.put(r.userId(), r));
            }
            for (User u : missing) {
                Long id = ids.get(u.id().getAsLong());
                if (id != null) {
                    created.add(VALUES.enrollment(id, u, course, mode, true, now));
                }
            }
        }

        History.writeAll(s, History.CREATED, created.stream().map(EnrollmentRow::of).collect(Collectors.toList()),
                change);
        List<EnrollmentRow> inactive = existing.values().stream().filter(r -> !r.active())
                .collect(Collectors.toList());
        List<Enrollment[]> reactivated = EnrollmentChanges.activateAll(s, course, mode, byId,
                inactive.stream().map(EnrollmentRow::id).collect(Collectors.toList()),
                inactive.stream().map(EnrollmentRow::userId).collect(Collectors.toList()), change);
        created.forEach(e -> s.emit(EnrollmentEvent.Type.CREATED, null, e));
        reactivated.forEach(p -> s.emit(EnrollmentEvent.Type.ACTIVATED, p[0], p[1]));
        long handled = created.size() + reactivated.size();
        return new BulkResult(created.size(), users.size() - handled, reactivated.size(), refused);
    }

    private static List<Long> ids(List<User> users) {
        return users.stream().map(u -> u.id().getAsLong()).collect(Collectors.toList());
    }

    /**
     * Inserts active rows for the users, ignoring those that exist (H2: one by one; elsewhere, in a capped course,
     * one multi-row insert); returns user id to new row id for the rows it inserted.
     */
    private static Map<Long, Long> insertAll(Session s, CourseKey course, CourseMode mode, List<User> users,
                                             Instant now) {
        Map<Long, Long> ids = new HashMap<>();
        String courseId = course.toString();
        Dialect dialect = s.db().dialect();
        if (dialect == Dialect.H2) {
            for (User u : users) {
                Long id = EnrollmentTable.insert(s, u, course, true, mode, now, new SQLException[1]);
                if (id != null) {
                    ids.put(u.id().getAsLong(), id);
                } else if (EnrollmentTable.find(s, u, course).isEmpty()) {
                    // H2 reports every unique violation alike: only the user's own row in the course may stop it.
                    throw new DatabaseException("enrollAll", 1, "enrollAll failed and wrote nothing of its batch: "
                            + "a row was refused by a unique index other than (user_id, course_id)", null);
                }
            }
            return ids;
        }
        var created = Timestamps.field(dialect, now);
        var insert = s.dsl().insertInto(E, E.COURSE_ID, E.CREATED, E.IS_ACTIVE, E.MODE, E.USER_ID);
        for (User u : users) {
            insert = insert.values(DSL.val(courseId, E.COURSE_ID), created, DSL.val(true, E.IS_ACTIVE),
                    DSL.val(mode.slug(), E.MODE), DSL.val(u.id().getAsLong(), E.USER_ID));
        }
        if (dialect == Dialect.POSTGRES) {
            insert.onConflict(E.USER_ID, E.COURSE_ID).doNothing().returningResult(E.ID, E.USER_ID)
                    .fetch().forEach(r -> ids.put(r.get(E.USER_ID), r.get(E.ID)));
            return ids;
        }
        int inserted = insert.onDuplicateKeyIgnore().execute();   // MySQL, MariaDB: one INSERT IGNORE
        if (inserted == 0) {
            return ids;
        }
        List<EnrollmentRow> rows = EnrollmentTable.ofUsers(s, courseId, ids(users), false);
        if (inserted == users.size()) {
            rows.forEach(r -> ids.put(r.userId(), r.id()));
        } else {
            // Some rows were created by another writer meanwhile, and this is a caller's transaction that cannot
            // start over: ours are the active rows in our mode carrying our creation time.
            rows.stream().filter(r -> now.equals(r.created()) && r.active() && mode.slug().equals(r.mode()))
                    .forEach(r -> ids.put(r.userId(), r.id()));
        }
        return ids;
    }
}
