package dev.enrollment;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Orphans#sweep(SweepOptions)} runs. Immutable: each method returns a new value.
 *
 * <pre>{@code
 * SweepResult r = orphans.sweep(SweepOptions.delete().batchSize(500).pause(Duration.ofMillis(200)).maxRows(10_000));
 * // later, continue where it stopped:
 * orphans.sweep(SweepOptions.delete().resumeAfter(r.lastId()));
 * }</pre>
 *
 * Defaults: batches of {@value #DEFAULT_BATCH_SIZE} rows, a pause of {@value #DEFAULT_PAUSE_MILLIS} ms between
 * batches, no row limit, from the start of the table.
 */
public final class SweepOptions {
    /** Rows read per batch by default. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Pause between batches by default, in milliseconds. */
    public static final long DEFAULT_PAUSE_MILLIS = 100;
    /** The largest batch allowed. */
    public static final int MAX_BATCH_SIZE = 10_000;

    private final boolean delete;
    private final int batchSize;
    private final Duration pause;
    private final long maxRows;
    private final long resumeAfter;

    private SweepOptions(boolean delete, int batchSize, Duration pause, long maxRows, long resumeAfter) {
        this.delete = delete;
        this.batchSize = batchSize;
        this.pause = pause;
        this.maxRows = maxRows;
        this.resumeAfter = resumeAfter;
    }

    /**
     * A sweep that finds orphans and deletes nothing: the default way to start.
     *
     * @return dry-run options with the defaults
     */
    public static SweepOptions dryRun() {
        return new SweepOptions(false, DEFAULT_BATCH_SIZE, Duration.ofMillis(DEFAULT_PAUSE_MILLIS), Long.MAX_VALUE,
                0);
    }

    /**
     * A sweep that deletes the orphans it finds, writing a history row for each.
     *
     * @return deleting options with the defaults
     */
    public static SweepOptions delete() {
        return new SweepOptions(true, DEFAULT_BATCH_SIZE, Duration.ofMillis(DEFAULT_PAUSE_MILLIS), Long.MAX_VALUE,
                0);
    }

    /**
     * Sets how many enrollments each batch reads (and so the most any statement deletes).
     *
     * @param batchSize 1 to {@value #MAX_BATCH_SIZE}
     * @return new options
     * @throws InvalidInputException if out of range
     */
    public SweepOptions batchSize(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new InvalidInputException("batchSize", "must be between 1 and " + MAX_BATCH_SIZE);
        }
        return new SweepOptions(delete, batchSize, pause, maxRows, resumeAfter);
    }

    /**
     * Sets the pause between batches, to throttle the sweep's load.
     *
     * @param pause zero or more, at most an hour
     * @return new options
     * @throws InvalidInputException if null, negative or longer than an hour
     */
    public SweepOptions pause(Duration pause) {
        if (pause == null || pause.isNegative() || pause.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidInputException("pause", "must be between zero and one hour");
        }
        return new SweepOptions(delete, batchSize, pause, maxRows, resumeAfter);
    }

    /**
     * Caps the orphans handled (deleted, or found in a dry run) by this run: a hard cap. The sweep stops at the
     * cap and its {@link SweepResult#lastId()} is the last orphan handled.
     *
     * @param maxRows at least 1
     * @return new options
     * @throws InvalidInputException if less than 1
     */
    public SweepOptions maxRows(long maxRows) {
        if (maxRows < 1) {
            throw new InvalidInputException("maxRows", "must be at least 1");
        }
        return new SweepOptions(delete, batchSize, pause, maxRows, resumeAfter);
    }

    /**
     * Starts after this enrollment id: the {@link SweepResult#lastId()} of an earlier run.
     *
     * @param id zero (from the start) or more
     * @return new options
     * @throws InvalidInputException if negative
     */
    public SweepOptions resumeAfter(long id) {
        if (id < 0) {
            throw new InvalidInputException("resumeAfter", "must be zero or more");
        }
        return new SweepOptions(delete, batchSize, pause, maxRows, id);
    }

    /**
     * Tells whether orphans are deleted.
     *
     * @return false for a dry run
     */
    public boolean deletes() {
        return delete;
    }

    /**
     * Returns the batch size.
     *
     * @return rows per batch
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the pause between batches.
     *
     * @return the pause
     */
    public Duration pause() {
        return pause;
    }

    /**
     * Returns the cap on orphans handled.
     *
     * @return the cap; {@link Long#MAX_VALUE} for none
     */
    public long maxRows() {
        return maxRows;
    }

    /**
     * Returns the id the sweep starts after.
     *
     * @return the resume point
     */
    public long resumeAfter() {
        return resumeAfter;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SweepOptions)) {
            return false;
        }
        SweepOptions x = (SweepOptions) o;
        return delete == x.delete && batchSize == x.batchSize && pause.equals(x.pause) && maxRows == x.maxRows
                && resumeAfter == x.resumeAfter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delete, batchSize, pause, maxRows, resumeAfter);
    }

    @Override
    public String toString() {
        return "SweepOptions[" + (delete ? "delete" : "dry run") + ", batchSize=" + batchSize + ", pause=" + pause
                + ", maxRows=" + (maxRows == Long.MAX_VALUE ? "none" : maxRows) + ", resumeAfter=" + resumeAfter + "]";
    }
}
