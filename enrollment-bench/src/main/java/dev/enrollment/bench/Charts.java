package dev.enrollment.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hand-written SVG line charts: the latency percentile curve (the x axis stretches the tail: 90%, 99%, 99.9%...,
 * the y axis is logarithmic) and throughput per second. No chart library: a few lines of SVG suffice.
 */
public final class Charts {
    /** Variant A's color (the baseline). */
    public static final String RED = "#d62728";
    /** Variant B's color (the library as shipped). */
    public static final String BLUE = "#1f77b4";
    /** A third series. */
    public static final String GREEN = "#2ca02c";
    /** A fourth series. */
    public static final String ORANGE = "#ff7f0e";

    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 78;
    private static final int RIGHT = 44;
    private static final int TOP = 70;
    private static final int BOTTOM = 58;

    /**
     * One line.
     *
     * @param name  its legend
     * @param color a CSS color
     * @param xs    x values
     * @param ys    y values
     */
    public record Series(String name, String color, double[] xs, double[] ys) {
    }

    private Charts() {
    }

    /**
     * Makes a percentile series from a latency histogram: x is 1/(1 - percentile), y milliseconds.
     *
     * @param name      the legend
     * @param color     the color
     * @param histogram latencies in microseconds
     * @return the series
     */
    public static Series percentileSeries(String name, String color, Histogram histogram) {
        List<double[]> points = new ArrayList<>();
        long total = histogram.getTotalCount();
        if (total > 0) {
            for (HistogramIterationValue v : histogram.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                double x = p >= 1.0 ? total : 1.0 / (1.0 - p);
                points.add(new double[] {Math.min(x, total), v.getValueIteratedTo() / 1000.0});
            }
        }
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            xs[i] = points.get(i)[0];
            ys[i] = Math.max(points.get(i)[1], 0.001);
        }
        return new Series(name, color, xs, ys);
    }

    /**
     * Makes a series of completions per second.
     *
     * @param name      the legend
     * @param color     the color
     * @param perSecond completions in each second
     * @return the series, x at the middle of each second
     */
    public static Series perSecondSeries(String name, String color, long[] perSecond) {
        double[] xs = new double[perSecond.length];
        double[] ys = new double[perSecond.length];
        for (int i = 0; i < perSecond.length; i++) {
            xs[i] = i + 0.5;
            ys[i] = perSecond[i];
        }
        return new Series(name, color, xs, ys);
    }

    /**
     * Draws latency percentile curves.
     *
     * @param title    the title
     * @param subtitle smaller lines under it (the machine, the run), separated by newlines
     * @param series   the curves, from {@link #percentileSeries}
     * @return the SVG document
     */
    public static String percentiles(String title, String subtitle, List<Series> series) {
        double maxX = 10;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                maxX = Math.max(maxX, s.xs[i]);
                minY = Math.min(minY, s.ys[i]);
                maxY = Math.max(maxY, s.ys[i]);
            }
        }
        if (maxY == 0) {
            minY = 0.1;
            maxY = 1;
        }
        double x1 = Math.pow(10, Math.ceil(Math.log10(maxX)));
        double y0 = Math.pow(10, Math.floor(Math.log10(minY)));
        double y1 = Math.pow(10, Math.ceil(Math.log10(maxY * 1.0001)));
        Axis x = new Axis(1, x1, true);
        Axis y = new Axis(y0, y1, true);
        StringBuilder svg = begin(title, subtitle);
        for (int e = 0; e <= Math.round(Math.log10(x1)); e++) {
            double d = Math.pow(10, e);
            double px = x.px(d, LEFT, WIDTH - RIGHT);
            gridLine(svg, px, TOP, px, HEIGHT - BOTTOM);
            text(svg, px, HEIGHT - BOTTOM + 18, "middle", percentileLabel(d));
        }
        for (long e = Math.round(Math.log10(y0)); e <= Math.round(Math.log10(y1)); e++) {
            double d = Math.pow(10, e);
            double py = y.py(d, HEIGHT - BOTTOM, TOP);
            gridLine(svg, LEFT, py, WIDTH - RIGHT, py);
            text(svg, LEFT - 8, py + 4, "end", number(d));
            for (int m = 2; m < 10 && d * m < y1; m++) {
                double pm = y.py(d * m, HEIGHT - BOTTOM, TOP);
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                        + "stroke=\"#f0f0f0\"/>%n", LEFT, pm, WIDTH - RIGHT, pm));
            }
        }
        axisTitles(svg, "percentile", "latency (ms, log scale)");
        lines(svg, series, x, y);
        return end(svg, series);
    }

    /**
     * Draws throughput per second.
     *
     * @param title    the title
     * @param subtitle smaller lines under it, separated by newlines
     * @param series   the lines, from {@link #perSecondSeries}
     * @return the SVG document
     */
    public static String throughput(String title, String subtitle, List<Series> series) {
        double maxX = 1;
        double maxY = 1;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                maxX = Math.max(maxX, s.xs[i] + 0.5);
                maxY = Math.max(maxY, s.ys[i]);
            }
        }
        double yStep = niceStep(maxY / 5);
        double y1 = Math.ceil(maxY * 1.05 / yStep) * yStep;
        double xStep = niceStep(maxX / 8);
        double x1 = Math.ceil(maxX / xStep) * xStep;
        Axis x = new Axis(0, x1, false);
        Axis y = new Axis(0, y1, false);
        StringBuilder svg = begin(title, subtitle);
        for (double d = 0; d <= x1 + 1e-9; d += xStep) {
            double px = x.px(d, LEFT, WIDTH - RIGHT);
            gridLine(svg, px, TOP, px, HEIGHT - BOTTOM);
            text(svg, px, HEIGHT - BOTTOM + 18, "middle", number(d));
        }
        for (double d = 0; d <= y1 + 1e-9; d += yStep) {
            double py = y.py(d, HEIGHT - BOTTOM, TOP);
            gridLine(svg, LEFT, py, WIDTH - RIGHT, py);
            text(svg, LEFT - 8, py + 4, "end", number(d));
        }
        axisTitles(svg, "second of the measured window", "operations per second");
        lines(svg, series, x, y);
        return end(svg, series);
    }

    /** A linear or logarithmic mapping of data to pixels. */
    private record Axis(double min, double max, boolean log) {
        double fraction(double v) {
            if (log) {
                double lv = Math.log10(Math.max(v, min));
                return (lv - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            }
            return (v - min) / (max - min);
        }

        double px(double v, double from, double to) {
            return from + fraction(v) * (to - from);
        }

        double py(double v, double bottom, double top) {
            return bottom - fraction(v) * (bottom - top);
        }
    }

    static double niceStep(double rough) {
        if (rough <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double r = rough / magnitude;
        double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    static String percentileLabel(double x) {
        double p = 100.0 * (1.0 - 1.0 / x);
        if (p == 0) {
            return "0%";
        }
        String s = String.format(Locale.ROOT, "%.6f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + "%";
    }

    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) d);
        }
        return String.format(Locale.ROOT, "%s", Double.toString(d)).replaceAll("0+$", "");
    }

    private static StringBuilder begin(String title, String subtitle) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s"
                + "</text>%n", LEFT, escape(title)));
        int y = 38;
        for (String line : subtitle.split("\n")) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s"
                    + "</text>%n", LEFT, y, escape(line)));
            y += 13;
        }
        return svg;
    }

    private static void axisTitles(StringBuilder svg, String xTitle, String yTitle) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        text(svg, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 16, "middle", xTitle);
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 18 %.1f)\">%s</text>%n", (TOP + HEIGHT - BOTTOM) / 2.0,
                (TOP + HEIGHT - BOTTOM) / 2.0, escape(yTitle)));
    }

    private static void lines(StringBuilder svg, List<Series> series, Axis x, Axis y) {
        for (Series s : series) {
            if (s.xs.length == 0) {
                continue;
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(s.color)
                    .append("\" stroke-width=\"2\" points=\"");
            for (int i = 0; i < s.xs.length; i++) {
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.px(s.xs[i], LEFT, WIDTH - RIGHT),
                        y.py(s.ys[i], HEIGHT - BOTTOM, TOP)));
            }
            svg.append("\"/>\n");
        }
    }

    private static String end(StringBuilder svg, List<Series> series) {
        int ly = TOP + 16;
        for (Series s : series) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"3\"/>%n", LEFT + 12, ly - 4, LEFT + 36, ly - 4, s.color));
            text(svg, LEFT + 42, ly, "start", s.name);
            ly += 16;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void gridLine(StringBuilder svg, double x1, double y1, double x2, double y2) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                + "stroke=\"#ddd\"/>%n", x1, y1, x2, y2));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n",
                x, y, anchor, escape(text)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
