package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.DatabaseException;
import dev.enrollment.OrphanReport;
import dev.enrollment.OrphanedEnrollment;
import dev.enrollment.Orphans;
import dev.enrollment.SweepOptions;
import dev.enrollment.SweepResult;
import dev.enrollment.UndeletableOrphan;
import dev.enrollment.schema.tables.StudentCourseenrollment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * {@link Orphans}: keyset walks over {@code student_courseenrollment} ({@link OrphanScan}), a chunk at a time; the
 * sweep deletes each chunk's orphans, with history, after checking again under lock that their users are gone.
 */
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

    @Override
    public OrphanReport audit() {
        int batch = scope.db().batchSize();
        OrphanScan scanner = new OrphanScan(scope, "audit");
        long after = 0;
        long scanned = 0;
        long orphans = 0;
        Map<CourseKey, Long> byCourse = new HashMap<>();
        List<OrphanedEnrollment> sample = new ArrayList<>();
        Map<String, CourseKey> parsed = new HashMap<>();   // orphans of one course are many: parse its key once
        while (true) {
            OrphanScan.Chunk chunk = scanner.next(after, batch);
            if (chunk == null) {
                break;
            }
            scanned += chunk.scanned();
            after = chunk.lastId();
            for (EnrollmentRow r : chunk.orphans()) {
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
        OrphanScan scanner = new OrphanScan(scope, "sweep");
        while (found < options.maxRows()) {
            OrphanScan.Chunk chunk = scanner.next(after, options.batchSize());
            if (chunk == null) {
                return new SweepResult(found, deleted, scanned, lastId, true, undeletable);
            }
            List<EnrollmentRow> orphans = chunk.orphans();
            long room = options.maxRows() - found;
            boolean capped = orphans.size() > room;
            List<EnrollmentRow> take = capped ? orphans.subList(0, (int) room) : orphans;
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
     * Deletes a batch of orphans in one transaction; when a foreign key of another table refuses that, each row in
     * a transaction of its own, passing over (and reporting) those still referenced, so one such row never sticks
     * the sweep. Returns how many were deleted.
     */
    private int deleteOrPassOver(List<EnrollmentRow> batch, List<UndeletableOrphan> undeletable) {
        try {
            return scope.write("sweep", true, s -> deleteIfStillOrphaned(s, batch));
        } catch (DatabaseException e) {
            if (!Failures.isReferenced(e)) {
                throw e;
            }
        }
        int deleted = 0;
        List<UndeletableOrphan> kept = new ArrayList<>();
        for (EnrollmentRow r : batch) {
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
    private int deleteIfStillOrphaned(Session s, List<EnrollmentRow> candidates) {
        List<Long> ids = candidates.stream().map(EnrollmentRow::id).collect(Collectors.toList());
        List<EnrollmentRow> locked = s.dsl()
                .select(EnrollmentRow.FIELDS)
                .from(E)
                .where(E.ID.in(ids))
                .forUpdate()
                .fetch(EnrollmentRow::of);
        if (locked.isEmpty()) {
            return 0;
        }
        Set<Long> existing = OrphanScan.existing(scope, "sweep",
                locked.stream().map(EnrollmentRow::userId).collect(Collectors.toSet()), s);
        List<EnrollmentRow> gone = locked.stream().filter(r -> !existing.contains(r.userId()))
                .collect(Collectors.toList());
        if (gone.isEmpty()) {
            return 0;
        }
        History.writeAll(s, History.DELETED, gone, Change.NONE);
        return s.dsl().deleteFrom(E).where(E.ID.in(gone.stream().map(EnrollmentRow::id).collect(Collectors.toList())))
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
