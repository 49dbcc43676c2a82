package dev.enrollment.bench;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Latencies (an HdrHistogram in microseconds, 3 significant digits) and completions per second of one thread's
 * measured window; merged across threads after a run. Not thread-safe: one per thread.
 */
public final class LatencyRecorder {
    /** The largest latency kept exactly; longer ones are clamped to it (a run never lasts this long). */
    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
    private final long[] perSecond;

    /**
     * Creates a recorder for a window.
     *
     * @param seconds the window's length, in whole seconds (rounded up)
     */
    public LatencyRecorder(int seconds) {
        this.perSecond = new long[Math.max(1, seconds)];
    }

    /**
     * Records one operation that completed in the window.
     *
     * @param latencyNanos how long it took
     * @param secondOfWindow in which second of the window it completed, from 0; outside the window: not counted
     *                       per second, still counted in the histogram
     */
    public void record(long latencyNanos, int secondOfWindow) {
        long micros = Math.max(1, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
        histogram.recordValue(micros);
        if (secondOfWindow >= 0 && secondOfWindow < perSecond.length) {
            perSecond[secondOfWindow]++;
        }
    }

    /**
     * Adds another thread's recordings to this one.
     *
     * @param other a recorder for a window of the same length
     */
    public void add(LatencyRecorder other) {
        histogram.add(other.histogram);
        for (int i = 0; i < Math.min(perSecond.length, other.perSecond.length); i++) {
            perSecond[i] += other.perSecond[i];
        }
    }

    /** @return operations recorded */
    public long count() {
        return histogram.getTotalCount();
    }

    /**
     * Returns a percentile.
     *
     * @param percentile from 0 to 100
     * @return the latency at that percentile, in milliseconds; 0 when nothing was recorded
     */
    public double percentileMillis(double percentile) {
        return count() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** @return the longest latency, in milliseconds */
    public double maxMillis() {
        return count() == 0 ? 0 : histogram.getMaxValue() / 1000.0;
    }

    /** @return the mean latency, in milliseconds */
    public double meanMillis() {
        return count() == 0 ? 0 : histogram.getMean() / 1000.0;
    }

    /** @return completions in each second of the window (a copy) */
    public long[] perSecond() {
        return perSecond.clone();
    }

    /** @return the underlying histogram, in microseconds (for charts) */
    public Histogram histogram() {
        return histogram;
    }
}
