package dev.enrollment.bench;

import java.util.Locale;

/** How figures and ratios are printed: few significant digits, since the noise is larger than that. */
public final class Format {
    private Format() {
    }

    /**
     * Formats milliseconds: two decimals below 10, one below 100, none above.
     *
     * @param millis the value
     * @return the text
     */
    public static String millis(double millis) {
        if (Double.isNaN(millis)) {
            return "n/a";
        }
        if (millis < 10) {
            return String.format(Locale.ROOT, "%.2f", millis);
        }
        if (millis < 100) {
            return String.format(Locale.ROOT, "%.1f", millis);
        }
        return String.format(Locale.ROOT, "%.0f", millis);
    }

    /**
     * Formats a rate (operations per second) with no decimals, one below 100.
     *
     * @param perSecond the value
     * @return the text
     */
    public static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "n/a";
        }
        return perSecond < 100 ? String.format(Locale.ROOT, "%.1f", perSecond)
                : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    /**
     * Formats a count with thousands separators.
     *
     * @param n the count
     * @return the text
     */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /**
     * Formats the ratio of two figures, such as variant B over variant A.
     *
     * @param numerator   the figure on top
     * @param denominator the figure below
     * @return like {@code 0.41x}; {@code n/a} when the denominator is zero or either is not a number
     */
    public static String ratio(double numerator, double denominator) {
        double r = ratioValue(numerator, denominator);
        if (Double.isNaN(r)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, r < 10 ? "%.2fx" : "%.1fx", r);
    }

    /**
     * Returns the ratio of two figures, or NaN when it has no meaning.
     *
     * @param numerator   the figure on top
     * @param denominator the figure below
     * @return the ratio
     */
    public static double ratioValue(double numerator, double denominator) {
        if (Double.isNaN(numerator) || Double.isNaN(denominator) || denominator == 0) {
            return Double.NaN;
        }
        return numerator / denominator;
    }
}
