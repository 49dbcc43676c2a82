package dev.enrollment.internal;

import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;
import dev.enrollment.UserLookup;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * One walk over {@code student_courseenrollment} for the orphan audit or sweep, a chunk at a time, never OFFSET and
 * never more than a batch of rows per statement. With users in this database's {@code auth_user} (the default) the
 * server finds the orphans; with a {@link UserLookup} (users in another service) each chunk's rows go to the client,
 * which asks the lookup which users exist.
 */
final class OrphanScan {
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final Map<Dialect, String> ANTI_JOIN = new ConcurrentHashMap<>();

    /**
     * One chunk: its orphans in id order, how many rows it scanned, the last row's id (the next chunk's start),
     * whether it was the last, and how to count the rows scanned up to and including one of its orphans.
     */
    record Chunk(List<EnrollmentRow> orphans, long scanned, long lastId, boolean last, LongUnaryOperator through) {
        /** Rows scanned up to and including {@code id}, an orphan of this chunk. */
        long scannedThrough(long id) {
            return through.applyAsLong(id);
        }
    }

    private final Scope scope;
    private final String operation;
    private long end = -1;

    /**
     * Starts a walk.
     *
     * @param scope     where it reads
     * @param operation "audit" or "sweep", for failures
     */
    OrphanScan(Scope scope, String operation) {
        this.scope = scope;
        this.operation = operation;
    }

    /**
     * Reads the next chunk after an id.
     *
     * @param after the last id handled (0 to start)
     * @param batch rows per chunk
     * @return the chunk, or null once nothing is left after the id
     */
    Chunk next(long after, int batch) {
        return scope.db().userLookup() == null ? antiJoinChunk(after, batch) : shippedChunk(after, batch);
    }

    /** With a {@link UserLookup}: ships the keyset chunk's rows to the client and asks the lookup. */
    private Chunk shippedChunk(long after, int batch) {
        List<EnrollmentRow> rows = scope.read(operation, s -> s.dsl()
                .select(EnrollmentRow.FIELDS)
                .from(E)
                .where(E.ID.gt(after))
                .orderBy(E.ID)
                .limit(batch)
                .fetch(EnrollmentRow::of));
        if (rows.isEmpty()) {
            return null;
        }
        Set<Long> userIds = rows.stream().map(EnrollmentRow::userId).collect(Collectors.toCollection(HashSet::new));
        Set<Long> existing = existing(scope, operation, userIds, null);
        List<EnrollmentRow> orphans = rows.stream().filter(r -> !existing.contains(r.userId()))
                .collect(Collectors.toList());
        return new Chunk(orphans, rows.size(), rows.get(rows.size() - 1).id(), rows.size() < batch,
                id -> rows.stream().filter(r -> r.id() <= id).count());
    }

    /**
     * With users in auth_user of the same database: the table is walked in id ranges of the batch size, up to the
     * largest id when the walk began (a unique id per row: never more than a batch of rows per statement, however
     * large the table); each range is one statement, an anti-join that returns only its orphans' rows, plus one row
     * with the range's count and last id. An empty range (a gap in the ids) jumps to the next id.
     */
    private Chunk antiJoinChunk(long after, int batch) {
        if (end < 0) {
            Field<Long> max = DSL.max(E.ID);
            Long found = scope.read(operation, s -> s.dsl().select(max).from(E).fetchOne(r -> r.get(max)));
            end = found == null ? 0 : found;
        }
        String sql = antiJoinSql(scope.db().dialect());
        long from = after;
        while (from < end) {
            long to = Math.min(end, from + batch);
            long start = from;
            List<EnrollmentRow> orphans = new ArrayList<>();
            long[] summary = new long[2];   // count, last id
            scope.read(operation, s -> {
                try (PreparedStatement ps = s.connection().prepareStatement(sql)) {
                    ps.setLong(1, start);
                    ps.setLong(2, to);
                    ps.setLong(3, start);
                    ps.setLong(4, to);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String courseId = rs.getString(3);
                            if (courseId == null) {   // course_id is NOT NULL: the summary row
                                summary[0] = rs.getLong(2);
                                summary[1] = rs.getLong(1);
                            } else {
                                orphans.add(new EnrollmentRow(rs.getLong(1), rs.getLong(2), courseId, rs.getString(4),
                                        rs.getBoolean(5), Timestamps.instant(rs.getObject(6, LocalDateTime.class))));
                            }
                        }
                    }
                } catch (SQLException e) {
                    throw new org.jooq.exception.DataAccessException(operation, e);
                }
                return null;
            });
            if (summary[0] == 0) {
                // A gap in the ids: go on from the next row, if any before the end.
                Field<Long> min = DSL.min(E.ID);
                Long next = scope.read(operation, s -> s.dsl().select(min).from(E).where(E.ID.gt(to))
                        .fetchOne(r -> r.get(min)));
                if (next == null || next > end) {
                    return null;
                }
                from = next - 1;
                continue;
            }
            orphans.sort(Comparator.comparingLong(EnrollmentRow::id));
            Field<Integer> count = DSL.count();
            return new Chunk(orphans, summary[0], summary[1], to >= end,
                    id -> scope.read(operation, s -> s.dsl().select(count).from(E)
                            .where(E.ID.gt(start).and(E.ID.le(id))).fetchOne(r -> r.get(count).longValue())));
        }
        return null;
    }

    /**
     * The orphans of the id range (?, ?], then one row with the range's last id and count (course_id null): rendered
     * once per dialect by jOOQ, run as a plain prepared statement (rendering it per chunk cost more client time than
     * the server spent on the chunk). The count is a second, index-only scan of the range: on MariaDB 10.11 every
     * one-pass form measured slower (a window function or a GROUP BY needs a temporary table of the range's rows;
     * see BENCHMARKS.md, issue 14).
     */
    static String antiJoinSql(Dialect dialect) {
        return ANTI_JOIN.computeIfAbsent(dialect, d -> {
            var dsl = DSL.using(d.sqlDialect(), Database.SETTINGS);
            var u = AUTH_USER;
            var inRange = E.ID.gt(DSL.param("from", Long.class)).and(E.ID.le(DSL.param("to", Long.class)));
            var orphans = d == Dialect.POSTGRES
                    // PostgreSQL plans a join here as a hash anti-join over the whole of auth_user, for every
                    // chunk (44 ms a chunk of 1,000 against 100,000 users); a scalar subquery is probed by index.
                    ? dsl.select(EnrollmentRow.FIELDS).from(E)
                            .where(inRange.and(DSL.field(DSL.select(u.ID).from(u).where(u.ID.eq(E.USER_ID)))
                                    .isNull()))
                    : dsl.select(EnrollmentRow.FIELDS)
                            .from(E).leftJoin(u).on(u.ID.eq(E.USER_ID))
                            .where(inRange.and(u.ID.isNull()));
            return dsl.render(orphans
                    .unionAll(DSL.select(DSL.max(E.ID), DSL.count().cast(SQLDataType.BIGINT),
                                    DSL.castNull(E.COURSE_ID), DSL.castNull(E.MODE), DSL.castNull(E.IS_ACTIVE),
                                    DSL.castNull(E.CREATED))
                            .from(E).where(E.ID.gt(DSL.param("from2", Long.class))
                                    .and(E.ID.le(DSL.param("to2", Long.class))))));
        });
    }

    /**
     * Which of the ids exist: the caller's lookup, or auth_user (on the session's connection, when given).
     *
     * @param scope     where to read auth_user when no session is given
     * @param operation "audit" or "sweep", for failures
     * @param userIds   the ids
     * @param session   the session to read on, or null for a read of its own
     * @return the ids that exist
     */
    static Set<Long> existing(Scope scope, String operation, Set<Long> userIds, Session session) {
        UserLookup lookup = scope.db().userLookup();
        if (lookup != null) {
            try {
                Set<Long> found = lookup.existing(Set.copyOf(userIds));
                if (found == null) {
                    throw new DatabaseException(operation, 1, operation + " failed: the UserLookup returned null", null);
                }
                return found;
            } catch (EnrollmentException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new DatabaseException(operation, 1, operation + " failed: the UserLookup threw "
                        + e.getClass().getSimpleName(), e);
            }
        }
        if (session != null) {
            return new HashSet<>(session.dsl().select(AUTH_USER.ID).from(AUTH_USER).where(AUTH_USER.ID.in(userIds))
                    .fetch(r -> r.get(AUTH_USER.ID)));
        }
        return scope.read(operation, s -> existing(scope, operation, userIds, s));
    }
}
