package dev.enrollment.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where results go: printed as Markdown as they come, and kept in {@code <dir>/results.md} beside the SVG charts.
 */
public final class Report {
    private final Path dir;
    private final PrintStream out;
    private final StringBuilder markdown = new StringBuilder();
    private String machineLine = "";
    private String chartStamp = "";

    /**
     * Opens a report.
     *
     * @param dir where results.md and the charts are written; created if missing
     * @param out where progress and tables are printed
     */
    public Report(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    /** @return the directory */
    public Path dir() {
        return dir;
    }

    /**
     * Sets the line printed under every table.
     *
     * @param line the machine and server description
     */
    public void machine(String line) {
        this.machineLine = line;
    }

    /** @return the machine line */
    public String machineLine() {
        return machineLine;
    }

    /**
     * Prints a progress line (not kept in results.md).
     *
     * @param line the text
     */
    public void progress(String line) {
        out.println("  .. " + line);
        out.flush();
    }

    /**
     * Adds a heading.
     *
     * @param text the heading
     */
    public void heading(String text) {
        add("\n## " + text + "\n");
    }

    /**
     * Adds a paragraph.
     *
     * @param text the paragraph
     */
    public void paragraph(String text) {
        add(text + "\n");
    }

    /**
     * Adds a table, with the machine line under it.
     *
     * @param table the table
     */
    public void table(Table table) {
        add(table.render() + "\n_Machine: " + machineLine + "; load average at print time "
                + String.format(java.util.Locale.ROOT, "%.2f", Machine.loadAverage()) + "._\n");
    }

    /**
     * Sets the line every chart carries under its own subtitle.
     *
     * @param line the run and the machine, briefly
     */
    public void chartStamp(String line) {
        this.chartStamp = line;
    }

    /** @return the line every chart carries */
    public String chartStamp() {
        return chartStamp;
    }

    /**
     * Writes a chart beside results.md.
     *
     * @param fileName such as {@code contention-plain-latency.svg}
     * @param svg      the document
     */
    public void chart(String fileName, String svg) {
        write(dir.resolve(fileName), svg);
        add("![" + fileName + "](" + fileName + ")\n");
    }

    /** Writes results.md. */
    public void finish() {
        write(dir.resolve("results.md"), markdown.toString());
        out.println("\nresults and charts: " + dir.toAbsolutePath());
    }

    private void add(String text) {
        markdown.append(text).append('\n');
        out.println(text);
        out.flush();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
