package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.DatabaseException;
import dev.enrollment.EnrollmentException;
import dev.enrollment.OrphanReport;
import dev.enrollment.OrphanedEnrollment;
import dev.enrollment.Orphans;
import dev.enrollment.SweepOptions;
import dev.enrollment.SweepResult;
import dev.enrollment.UndeletableOrphan;
import dev.enrollment.UserLookup;
import dev.enrollment.schema.tables.StudentCourseenrollment;
import org.jooq.Record6;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.enrollment.schema.Tables.AUTH_USER;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/** {@link Orphans}: keyset walks over {@code student_courseenrollment}, checking user ids a batch at a time. */
public final class OrphanStore implements Orphans {
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OrphanStore.class);

    private final Scope scope;

    /**
     * Creates the store.
     *
     * @param scope where operations run
     */
    public OrphanStore(Scope scope) {
        this.scope = scope;
    }

    private record Row(long id, long userId, String courseId, String mode, boolean active, LocalDateTime created) {
        static Row of(Record6<Long, Long, String, String, Boolean, LocalDateTime> r) {
            return new Row(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6());
        }
    }

    @Override
    public OrphanReport audit() {
        int batch = scope.db().batchSize();
        Scanner scanner = scanner("audit");
        long after = 0;
        long scanned = 0;
        long orphans = 0;
        Map<CourseKey, Long> byCourse = new HashMap<>();
        List<OrphanedEnrollment> sample = new ArrayList<>();
        Map<String, CourseKey> parsed = new HashMap<>();   // orphans of one course are many: parse its key once
        while (true) {
            Chunk chunk = scanner.next(after, batch);
            if (chunk == null) {
                break;
            }
            scanned += chunk.scanned();
            after = chunk.lastId();
            for (Row r : chunk.orphans()) {
                orphans++;
                // Counted whatever they hold; only typed rows (course key and mode the library knows) go into
                // byCourse and the sample.
                CourseKey course = parsed.containsKey(r.courseId()) ? parsed.get(r.courseId())
                        : Rows.courseKeyOrNull(r.courseId(), "student_courseenrollment", r.id());
                parsed.putIfAbsent(r.courseId(), course);
                var mode = Rows.modeOrNull(r.mode(), r.id());
                if (course != null) {
                    byCourse.merge(course, 1L, Long::sum);
                }
                if (course != null && mode != null && sample.size() < SAMPLE_SIZE) {
                    sample.add(new OrphanedEnrollment(r.id(), r.userId(), course, mode, r.active()));
                }
            }
            if (chunk.last()) {
                break;
            }
        }
        return new OrphanReport(orphans, scanned, byCourse, sample);
    }

    @Override
    public SweepResult sweep(SweepOptions options) {
        Checks.notNull(options, "options");
        long after = options.resumeAfter();
        long lastId = after;
        long found = 0;
        long deleted = 0;
        long scanned = 0;
        List<UndeletableOrphan> undeletable = new ArrayList<>();
        Scanner scanner = scanner("sweep");
        while (found < options.maxRows()) {
            Chunk chunk = scanner.next(after, options.batchSize());
            if (chunk == null) {
                return new SweepResult(found, deleted, scanned, lastId, true, undeletable);
            }
            List<Row> orphans = chunk.orphans();
            long room = options.maxRows() - found;
            boolean capped = orphans.size() > room;
            List<Row> take = capped ? orphans.subList(0, (int) room) : orphans;
            if (options.deletes() && !take.isEmpty()) {
                deleted += deleteOrPassOver(take, undeletable);
            }
            found += take.size();
            if (capped) {
                // Stop right after the last orphan handled: resuming from it neither skips nor repeats a row.
                long stop = take.get(take.size() - 1).id();
                scanned += chunk.scannedThrough(stop);
                return new SweepResult(found, deleted, scanned, stop, false, undeletable);
            }
            scanned += chunk.scanned();
            lastId = chunk.lastId();
            after = lastId;
            if (chunk.last()) {
                return new SweepResult(found, deleted, scanned, lastId, true, undeletable);
            }
            if (!pause(options)) {
                break;
            }
        }
        return new SweepResult(found, deleted, scanned, lastId, false, undeletable);
    }

    /**
     * One chunk of a walk: its orphans in id order, how many rows it scanned, the last row's id (the next chunk's
     * start), and whether it was the last.
     */
    private interface Chunk {
        List<Row> orphans();

        long scanned();

        long lastId();

        boolean last();

        /** Rows scanned up to and including {@code id}, an orphan of this chunk. */
        long scannedThrough(long id);
    }

    /** Walks student_courseenrollment in chunks; {@code next} returns null once nothing is left after the id. */
    private interface Scanner {
        Chunk next(long after, int batch);
    }

    private Scanner scanner(String operation) {
        return scope.db().userLookup() == null ? new AntiJoinScanner(operation)
                : (after, batch) -> shippedChunk(operation, after, batch);
    }

    /**
     * With a {@link UserLookup} (users in another service): ships each keyset chunk's rows to the client and asks
     * the lookup which of their users exist.
     */
    private Chunk shippedChunk(String operation, long after, int batch) {
        List<Row> rows = chunk(operation, after, batch);
        if (rows.isEmpty()) {
            return null;
        }
        List<Row> orphans = orphansAmong(operation, rows);
        long lastId = rows.get(rows.size() - 1).id();
        boolean last = rows.size() < batch;
        return new Chunk() {
            public List<Row> orphans() {
                return orphans;
            }

            public long scanned() {
                return rows.size();
            }

            public long lastId() {
                return lastId;
            }

            public boolean last() {
                return last;
            }

            public long scannedThrough(long id) {
                return rows.stream().filter(r -> r.id() <= id).count();
            }
        };
    }

    /**
     * With users in auth_user of the same database: the server finds the orphans. The table is walked in id ranges
     * of the batch size, up to the largest id when the walk began (a unique id per row: never more than a batch of
     * rows per statement, however large the table); each range is one statement, an anti-join that returns only
     * its orphans' rows, plus one row with the range's count and last id. An empty range (a gap in the ids) jumps
     * to the next id.
     */
    private final class AntiJoinScanner implements Scanner {
        private final String operation;
        private long end = -1;

        AntiJoinScanner(String operation) {
            this.operation = operation;
        }

        @Override
        public Chunk next(long after, int batch) {
            if (end < 0) {
                end = maxId();
            }
            long from = after;
            while (from < end) {
                long to = Math.min(end, from + batch);
                long start = from;
                List<Row> orphans = new ArrayList<>();
                long[] summary = new long[2];   // count, last id
                String sql = antiJoinSql(scope.db().dialect());
                scope.read(operation, s -> {
                    try (java.sql.PreparedStatement ps = s.connection().prepareStatement(sql)) {
                        ps.setLong(1, start);
                        ps.setLong(2, to);
                        ps.setLong(3, start);
                        ps.setLong(4, to);
                        try (java.sql.ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String courseId = rs.getString(3);
                                if (courseId == null) {   // course_id is NOT NULL: the summary row
                                    summary[0] = rs.getLong(2);
                                    summary[1] = rs.getLong(1);
                                } else {
                                    orphans.add(new Row(rs.getLong(1), rs.getLong(2), courseId, rs.getString(4),
                                            rs.getBoolean(5), rs.getObject(6, LocalDateTime.class)));
                                }
                            }
                        }
                    } catch (java.sql.SQLException e) {
                        throw new org.jooq.exception.DataAccessException(operation, e);
                    }
                    return null;
                });
                if (summary[0] == 0) {
                    // A gap in the ids: go on from the next row, if any before the end.
                    Long next = scope.read(operation, s -> s.dsl().select(DSL.min(E.ID)).from(E)
                            .where(E.ID.gt(to)).fetchOne(r -> r.value1()));
                    if (next == null || next > end) {
                        return null;
                    }
                    from = next - 1;
                    continue;
                }
                orphans.sort(java.util.Comparator.comparingLong(Row::id));
                long count = summary[0];
                long lastId = summary[1];
                boolean last = to >= end;
                return new Chunk() {
                    public List<Row> orphans() {
                        return orphans;
                    }

                    public long scanned() {
                        return count;
                    }

                    public long lastId() {
                        return lastId;
                    }

                    public boolean last() {
                        return last;
                    }

                    public long scannedThrough(long id) {
                        return scope.read(operation, s -> s.dsl().selectCount().from(E)
                                .where(E.ID.gt(start).and(E.ID.le(id))).fetchOne(r -> r.value1().longValue()));
                    }
                };
            }
            return null;
        }

        private long maxId() {
            Long max = scope.read(operation, s -> s.dsl().select(DSL.max(E.ID)).from(E).fetchOne(r -> r.value1()));
            return max == null ? 0 : max;
        }
    }

    private static final Map<Dialect, String> ANTI_JOIN = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The orphans of the id range (?, ?], then one row with the range's last id and count (course_id null): rendered
     * once per dialect by jOOQ, run as a plain prepared statement (rendering it per chunk cost more client time than
     * the server spent on the chunk).
     */
    static String antiJoinSql(Dialect dialect) {
        return ANTI_JOIN.computeIfAbsent(dialect, d -> {
            var dsl = DSL.using(d.sqlDialect(), Database.SETTINGS);
            var u = AUTH_USER;
            var inRange = E.ID.gt(DSL.param("from", Long.class)).and(E.ID.le(DSL.param("to", Long.class)));
            var orphans = d == Dialect.POSTGRES
                    // PostgreSQL plans a join here as a hash anti-join over the whole of auth_user, for every
                    // chunk (44 ms a chunk of 1,000 against 100,000 users); a scalar subquery is probed by index.
                    ? dsl.select(E.ID, E.USER_ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED).from(E)
                            .where(inRange.and(DSL.field(DSL.select(u.ID).from(u).where(u.ID.eq(E.USER_ID)))
                                    .isNull()))
                    : dsl.select(E.ID, E.USER_ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED)
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

    /** Reads the next keyset chunk: never OFFSET, never more than one batch. */
    private List<Row> chunk(String operation, long after, int batch) {
        return scope.read(operation, s -> s.dsl()
                .select(E.ID, E.USER_ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED)
                .from(E)
                .where(E.ID.gt(after))
                .orderBy(E.ID)
                .limit(batch)
                .fetch(Row::of));
    }

    private List<Row> orphansAmong(String operation, List<Row> rows) {
        Set<Long> userIds = rows.stream().map(Row::userId).collect(Collectors.toCollection(HashSet::new));
        Set<Long> existing = existing(operation, userIds, null);
        return rows.stream().filter(r -> !existing.contains(r.userId())).collect(Collectors.toList());
    }

    /** Which of the ids exist: the caller's lookup, or auth_user (on the session's connection, when given). */
    private Set<Long> existing(String operation, Set<Long> userIds, Session session) {
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
                    .fetch(r -> r.value1()));
        }
        return scope.read(operation, s -> existing(operation, userIds, s));
    }

    /**
     * Deletes a batch of orphans in one transaction; when a foreign key of another table refuses that, each row in
     * a transaction of its own, passing over (and reporting) those still referenced, so one such row never sticks
     * the sweep. Returns how many were deleted.
     */
    private int deleteOrPassOver(List<Row> batch, List<UndeletableOrphan> undeletable) {
        try {
            return scope.write("sweep", true, s -> deleteIfStillOrphaned(s, batch));
        } catch (DatabaseException e) {
            if (!Failures.isReferenced(e)) {
                throw e;
            }
        }
        int deleted = 0;
        List<UndeletableOrphan> kept = new ArrayList<>();
        for (Row r : batch) {
            try {
                deleted += scope.write("sweep", true, s -> deleteIfStillOrphaned(s, List.of(r)));
            } catch (DatabaseException e) {
                if (!Failures.isReferenced(e)) {
                    throw e;
                }
                String table = Failures.referencingTable(e);
                kept.add(new UndeletableOrphan(r.id(), r.userId(), r.courseId(), table != null ? table : "unknown"));
            }
        }
        for (var byTable : kept.stream().collect(Collectors.groupingBy(UndeletableOrphan::referencedBy,
                java.util.TreeMap::new, Collectors.mapping(UndeletableOrphan::id, Collectors.toList()))).entrySet()) {
            LOG.warn("sweep: {} orphaned enrollment(s) left in place because {} still references them (ids {}); "
                    + "delete those rows, then sweep again", byTable.getValue().size(), byTable.getKey(),
                    byTable.getValue());
        }
        undeletable.addAll(kept);
        return deleted;
    }

    /** Locks the rows, checks again that their users are gone, deletes them with history; returns how many. */
    private int deleteIfStillOrphaned(Session s, List<Row> candidates) {
        List<Long> ids = candidates.stream().map(Row::id).collect(Collectors.toList());
        List<Row> locked = s.dsl()
                .select(E.ID, E.USER_ID, E.COURSE_ID, E.MODE, E.IS_ACTIVE, E.CREATED)
                .from(E)
                .where(E.ID.in(ids))
                .forUpdate()
                .fetch(Row::of);
        if (locked.isEmpty()) {
            return 0;
        }
        Set<Long> existing = existing("sweep", locked.stream().map(Row::userId).collect(Collectors.toSet()), s);
        List<Row> gone = locked.stream().filter(r -> !existing.contains(r.userId())).collect(Collectors.toList());
        if (gone.isEmpty()) {
            return 0;
        }
        History.writeAll(s, History.DELETED, gone.stream().map(r -> new EnrollmentRow(r.id(), r.userId(), r.courseId(),
                r.mode(), r.active(), Timestamps.instant(r.created()))).collect(Collectors.toList()), Change.NONE);
        return s.dsl().deleteFrom(E).where(E.ID.in(gone.stream().map(Row::id).collect(Collectors.toList())))
                .execute();
    }

    private static boolean pause(SweepOptions options) {
        if (options.pause().isZero()) {
            return true;
        }
        try {
            Thread.sleep(options.pause().toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
