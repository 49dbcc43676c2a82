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
        long after = 0;
        long scanned = 0;
        long orphans = 0;
        Map<CourseKey, Long> byCourse = new HashMap<>();
        List<OrphanedEnrollment> sample = new ArrayList<>();
        while (true) {
            List<Row> rows = chunk("audit", after, batch);
            if (rows.isEmpty()) {
                break;
            }
            scanned += rows.size();
            after = rows.get(rows.size() - 1).id();
            for (Row r : orphansAmong("audit", rows)) {
                orphans++;
                // Counted whatever they hold; only typed rows (course key and mode the library knows) go into
                // byCourse and the sample.
                CourseKey course = Rows.courseKeyOrNull(r.courseId(), "student_courseenrollment", r.id());
                var mode = Rows.modeOrNull(r.mode(), r.id());
                if (course != null) {
                    byCourse.merge(course, 1L, Long::sum);
                }
                if (course != null && mode != null && sample.size() < SAMPLE_SIZE) {
                    sample.add(new OrphanedEnrollment(r.id(), r.userId(), course, mode, r.active()));
                }
            }
            if (rows.size() < batch) {
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
        while (found < options.maxRows()) {
            List<Row> rows = chunk("sweep", after, options.batchSize());
            if (rows.isEmpty()) {
                return new SweepResult(found, deleted, scanned, lastId, true, undeletable);
            }
            List<Row> orphans = orphansAmong("sweep", rows);
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
                scanned += rows.stream().filter(r -> r.id() <= stop).count();
                return new SweepResult(found, deleted, scanned, stop, false, undeletable);
            }
            scanned += rows.size();
            lastId = rows.get(rows.size() - 1).id();
            after = lastId;
            if (rows.size() < options.batchSize()) {
                return new SweepResult(found, deleted, scanned, lastId, true, undeletable);
            }
            if (!pause(options)) {
                break;
            }
        }
        return new SweepResult(found, deleted, scanned, lastId, false, undeletable);
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
        History.writeAll(s, History.DELETED, gone.stream().map(r -> new History.Row(r.id(), r.userId(), r.courseId(),
                r.mode(), r.active(), Rows.instant(r.created()))).collect(Collectors.toList()), Change.NONE);
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
