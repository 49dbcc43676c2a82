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
 * @param undeletable orphans found that a foreign key of another table kept from being deleted, each with that
 *                 table (counted in {@code found}, not in {@code deleted}; passed over, so a rerun does not stick)
 */
public record SweepResult(long found, long deleted, long scanned, long lastId, boolean finished,
                          java.util.List<UndeletableOrphan> undeletable) {
    /** Copies the list, so the result stays immutable. */
    public SweepResult {
        undeletable = java.util.List.copyOf(undeletable);
    }

    /**
     * A result with no undeletable orphans.
     *
     * @param found    orphans found
     * @param deleted  orphans deleted
     * @param scanned  enrollments read
     * @param lastId   the id of the last row handled
     * @param finished whether the sweep reached the end of the table
     */
    public SweepResult(long found, long deleted, long scanned, long lastId, boolean finished) {
        this(found, deleted, scanned, lastId, finished, java.util.List.of());
    }
}
