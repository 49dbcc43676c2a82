package dev.enrollment;

import java.util.List;
import java.util.Map;

/**
 * What {@link Orphans#audit()} found. Immutable.
 *
 * @param orphans  how many enrollments have no existing user
 * @param scanned  how many enrollments were read
 * @param byCourse orphans per course, for every course that has some
 * @param sample   the first orphans found, in id order (at most {@link Orphans#SAMPLE_SIZE})
 */
public record OrphanReport(long orphans, long scanned, Map<CourseKey, Long> byCourse,
                           List<OrphanedEnrollment> sample) {
    /**
     * Copies the collections, so the report is immutable.
     *
     * @param orphans  how many enrollments have no existing user
     * @param scanned  how many enrollments were read
     * @param byCourse orphans per course
     * @param sample   the first orphans found
     */
    public OrphanReport {
        byCourse = Map.copyOf(byCourse);
        sample = List.copyOf(sample);
    }
}
