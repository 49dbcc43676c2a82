package dev.enrollment;

/**
 * What {@link Orphans#sweep(SweepOptions)} did. Immutable.
 *
 * @param found    orphans found (in a dry run, the ones that would have been deleted)
 * @param deleted  orphans deleted (0 in a dry run)
 * @param scanned  enrollments read
 * @param lastId   the id of the last row handled (scanned or deleted); pass it to
 *                 {@link SweepOptions#resumeAfter(long)} to continue exactly after it. When nothing was handled, the
 *                 resume point the sweep was given.
 * @param finished whether the sweep reached the end of the table (false when stopped by {@code maxRows})
 */
public record SweepResult(long found, long deleted, long scanned, long lastId, boolean finished) {
}
