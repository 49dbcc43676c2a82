package dev.enrollment.bench;

import java.util.Locale;

/**
 * A target a ratio must meet, as the issue states it (such as "p99 of B at most 0.4x of A").
 *
 * @param atLeast true for a lower bound, false for an upper bound
 * @param bound   the bound
 */
public record Target(boolean atLeast, double bound) {
    /**
     * A lower bound.
     *
     * @param bound the ratio must be at least this
     * @return the target
     */
    public static Target atLeast(double bound) {
        return new Target(true, bound);
    }

    /**
     * An upper bound.
     *
     * @param bound the ratio must be at most this
     * @return the target
     */
    public static Target atMost(double bound) {
        return new Target(false, bound);
    }

    /**
     * Tells whether a ratio meets the target.
     *
     * @param ratio the measured ratio
     * @return false for NaN
     */
    public boolean met(double ratio) {
        if (Double.isNaN(ratio)) {
            return false;
        }
        return atLeast ? ratio >= bound : ratio <= bound;
    }

    /**
     * Says how a ratio fares.
     *
     * @param ratio the measured ratio
     * @return "met" or "MISSED", or "n/a"
     */
    public String verdict(double ratio) {
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        return met(ratio) ? "met" : "MISSED";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, atLeast ? ">= %.2fx" : "<= %.2fx", bound);
    }
}
