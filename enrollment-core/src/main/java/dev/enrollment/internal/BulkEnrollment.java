package dev.enrollment.internal;

import dev.enrollment.BulkResult;
import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.Enrollment;
import dev.enrollment.EnrollmentEvent;
import dev.enrollment.User;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Field;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * One batch of {@code enrollAll} on MySQL/MariaDB and PostgreSQL, in the batch's transaction, with as little as the
 * work allows between the client and the server:
 * <ol>
 * <li>one insert of every user of the batch (insert-ignore / on-conflict-do-nothing on the (user_id, course_id)
 * key), in user-id order so that concurrent batches lock in the same order; its update count is the number created.
 * On PostgreSQL the ids are one bigint[] parameter; on MySQL/MariaDB a multi-row {@code VALUES} ({@link
 * BulkStatements}). No existence read before it: when every row is new (the common case) none is needed;</li>
 * <li>one {@code INSERT INTO student_courseenrollment_history ... SELECT ... FROM student_courseenrollment} that the
 * server runs on the rows just inserted (found by the batch's own creation time, course, mode and user-id range),
 * each history id a version-7 UUID the server derives from a base the batch binds once ({@link HistoryIds.Base}):
 * no value is bound per history row. Its count must equal the insert's: more means another writer's row carries
 * the same microsecond (the batch starts over with a new time), fewer means the rows were stored other than bound
 * (a narrowed column): an error, nothing written;</li>
 * <li>only when some users were already enrolled: one read of the batch's rows, which must find a row for every
 * user (else the insert ignored a row for another reason: an error), then the inactive ones locked, activated and
 * their history written.</li>
 * </ol>
 * A multi-row {@code INSERT IGNORE} turns every error of every row into a warning: a duplicate on another unique
 * index, a truncation, a failed conversion. The insert's warnings are therefore read (the driver asks the server only
 * when it reported some) and anything but a duplicate-key warning (1062) fails the batch, which rolls back; a
 * duplicate on another index is caught by the read finding fewer rows than users. PostgreSQL's
 * {@code ON CONFLICT (user_id, course_id) DO NOTHING} swallows nothing else.
 */
final class BulkEnrollment {
    private static final Values.Factory VALUES = Values.factory();
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    /** MySQL's duplicate-key error, the one warning an insert-ignore of an existing enrollment raises. */
    private static final int DUPLICATE_KEY = 1062;
    private static final Pattern KEY_NAME = Pattern.compile("for key '([^']*)'");

    private BulkEnrollment() {
    }

    /**
     * Enrolls one batch, in the session's transaction.
     *
     * @param s      the session (MySQL, MariaDB or PostgreSQL)
     * @param course the course
     * @param mode   the mode
     * @param users  saved users, distinct
     * @param change who and why, for history
     * @return the batch's counts
     */
    static BulkResult enroll(Session s, CourseKey course, CourseMode mode, List<User> users, Change change) {
        try {
            return enroll0(s, course, mode, users, change);
        } catch (SQLException e) {
            throw new org.jooq.exception.DataAccessException("enrollAll", e);
        }
    }

    private static BulkResult enroll0(Session s, CourseKey course, CourseMode mode, List<User> users, Change change)
            throws SQLException {
        Dialect dialect = s.db().dialect();
        boolean mysql = dialect.isMySqlFamily();
        Connection c = s.connection();
        int size = users.size();
        long[] ids = new long[size];
        for (int i = 0; i < size; i++) {
            ids[i] = users.get(i).id().getAsLong();
        }
        Arrays.sort(ids);
        String courseId = course.toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        int created;
        List<SQLWarning> warnings = new ArrayList<>();
        // MySQL/MariaDB: a multi-row VALUES, five values bound per row (why not an INSERT ... SELECT: see
        // BulkStatements); PostgreSQL: the user ids as one bigint[], the other columns bound once.
        String insert = mysql ? BulkStatements.insertValuesSql(dialect, size, s.db().batchSize())
                : BulkStatements.insertArraySql(dialect);
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            if (mysql) {
                int p = 1;
                for (long id : ids) {
                    ps.setString(p++, courseId);
                    bindTime(ps, p++, now, true);
                    ps.setBoolean(p++, true);
                    ps.setString(p++, mode.slug());
                    ps.setLong(p++, id);
                }
            } else {
                ps.setString(1, courseId);
                bindTime(ps, 2, now, false);
                ps.setBoolean(3, true);
                ps.setString(4, mode.slug());
                Long[] boxed = new Long[size];
                for (int i = 0; i < size; i++) {
                    boxed[i] = ids[i];
                }
                ps.setArray(5, c.createArrayOf("bigint", boxed));
            }
            created = ps.executeUpdate();
            if (mysql) {
                // The driver sends SHOW WARNINGS only when the server reported warnings (duplicates, or worse).
                for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                    warnings.add(w);
                }
            }
        }
        for (SQLWarning w : warnings) {
            if (w.getErrorCode() != DUPLICATE_KEY) {
                throw refused("the database turned an error into a warning (" + w.getErrorCode() + ": "
                        + w.getMessage() + ")");
            }
        }

        if (created > 0) {
            HistoryIds.Base base = HistoryIds.nextBase();
            Instant historyDate = Instant.now();
            int written;
            try (PreparedStatement ps = c.prepareStatement(BulkStatements.historySql(dialect))) {
                int p = 1;
                ps.setString(p++, base.prefix());
                ps.setLong(p++, base.low());
                bindTime(ps, p++, historyDate, mysql);
                if (change.reason() == null) {
                    ps.setNull(p++, Types.VARCHAR);
                } else {
                    ps.setString(p++, change.reason());
                }
                ps.setString(p++, History.CREATED);
                if (change.actorId() == null) {
                    ps.setNull(p++, Types.BIGINT);
                } else {
                    ps.setLong(p++, change.actorId());
                }
                ps.setString(p++, courseId);
                bindTime(ps, p++, now, mysql);
                ps.setLong(p++, ids[0]);
                ps.setLong(p++, ids[size - 1]);
                ps.setString(p++, mode.slug());
                ps.setBoolean(p, true);
                written = ps.executeUpdate();
            }
            if (written != created) {
                if (written < created) {
                    throw refused("the inserted rows were not stored as bound (" + created + " inserted, "
                            + (created - written) + " of them changed by the database: a column narrower than the "
                            + "schema's?)");
                }
                // Another writer's row in the range carries the same microsecond: start over with a new time.
                if (s.restartable()) {
                    throw s.restart();
                }
                throw new DatabaseException("enrollAll", 1, "enrollAll failed: another enrollment was created in "
                        + "the same microsecond as this batch; run it again", null);
            }
        }

        Map<Long, User> byId = new HashMap<>();
        users.forEach(u -> byId.put(u.id().getAsLong(), u));
        List<Enrollment> createdRows = List.of();
        if (created > 0 && s.db().hasListeners()) {
            createdRows = createdRows(s, byId, course, mode, now, ids[0], ids[size - 1]);
        }
        List<Enrollment[]> reactivated = List.of();
        if (created < size) {
            reactivated = activateExisting(s, course, mode, byId, warnings, change);
        }
        createdRows.forEach(e -> s.emit(EnrollmentEvent.Type.CREATED, null, e));
        reactivated.forEach(p -> s.emit(EnrollmentEvent.Type.ACTIVATED, p[0], p[1]));
        return new BulkResult(created, size - created - reactivated.size(), reactivated.size());
    }

    /** The rows this batch created, for the listeners: those carrying its creation time. */
    private static List<Enrollment> createdRows(Session s, Map<Long, User> byId, CourseKey course, CourseMode mode,
                                                Instant now, long low, long high) {
        Field<LocalDateTime> time = Timestamps.field(s.db().dialect(), now);
        List<Enrollment> rows = new ArrayList<>();
        s.dsl().select(E.ID, E.USER_ID).from(E)
                .where(E.COURSE_ID.eq(course.toString()).and(E.CREATED.eq(time)).and(E.USER_ID.between(low, high))
                        .and(E.MODE.eq(mode.slug())).and(E.IS_ACTIVE.isTrue()))
                .forEach(r -> rows.add(VALUES.enrollment(r.get(E.ID), byId.get(r.get(E.USER_ID)), course, mode, true,
                        now)));
        return rows;
    }

    /**
     * Reads the batch's rows once some already existed: every user must have one now; the inactive ones are locked,
     * activated and get history ({@code ~}).
     */
    private static List<Enrollment[]> activateExisting(Session s, CourseKey course, CourseMode mode,
                                                       Map<Long, User> byId, List<SQLWarning> warnings,
                                                       Change change) throws SQLException {
        Dialect dialect = s.db().dialect();
        List<Long> inactive = new ArrayList<>();
        int[] found = new int[1];
        // Rendered once, the ids bound (PostgreSQL: one array): jOOQ rendering a 1,000-value IN list per batch
        // cost a second run (nothing to create) most of its time.
        String sql = BulkStatements.batchRowsSql(dialect, byId.size(), s.db().batchSize());
        try (PreparedStatement ps = s.connection().prepareStatement(sql)) {
            ps.setString(1, course.toString());
            if (dialect.isMySqlFamily()) {
                int p = 2;
                for (long id : byId.keySet()) {
                    ps.setLong(p++, id);
                }
            } else {
                ps.setArray(2, s.connection().createArrayOf("bigint", byId.keySet().toArray(new Long[0])));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found[0]++;
                    if (!rs.getBoolean(2)) {
                        inactive.add(rs.getLong(1));
                    }
                }
            }
        }
        if (found[0] < byId.size()) {
            Set<String> keys = new LinkedHashSet<>();
            for (SQLWarning w : warnings) {
                Matcher m = KEY_NAME.matcher(String.valueOf(w.getMessage()));
                if (m.find()) {
                    keys.add(m.group(1));
                }
            }
            throw refused("the database ignored " + (byId.size() - found[0]) + " rows that were neither inserted "
                    + "nor an existing enrollment of the user in the course (a duplicate on another unique index; "
                    + "keys named in the first warnings: " + String.join(", ", keys) + ")");
        }
        return EnrollmentChanges.activateAll(s, course, mode, byId, inactive, new ArrayList<>(byId.keySet()), change);
    }

    private static DatabaseException refused(String why) {
        return new DatabaseException("enrollAll", 1, "enrollAll failed and wrote nothing of its batch: " + why, null);
    }

    private static void bindTime(PreparedStatement ps, int index, Instant t, boolean mysql) throws SQLException {
        if (mysql) {
            ps.setString(index, Timestamps.mysqlText(t));   // cast to DATETIME(6) in the statement
        } else {
            ps.setObject(index, Timestamps.utc(t));
        }
    }
}
