package dev.enrollment.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A Markdown table, padded so it also reads well in a terminal; pasted as is into BENCHMARKS.md. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Boolean> numeric;

    /**
     * Starts a table.
     *
     * @param header the column titles; a title ending with " " is left-aligned text, others right-aligned
     *               numbers, except the first column, always text
     */
    public Table(String... header) {
        this.header = Arrays.asList(header);
        this.numeric = new ArrayList<>();
        for (int i = 0; i < header.length; i++) {
            numeric.add(i > 0 && !header[i].endsWith(" "));
        }
    }

    /**
     * Adds a row.
     *
     * @param cells one per column
     * @return this
     */
    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(String.valueOf(c).replace("|", "\\|"));
        }
        rows.add(row);
        return this;
    }

    /** @return the table as Markdown */
    public String render() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = Math.max(3, header.get(i).trim().length());
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder();
        line(s, trimmed(header), width);
        s.append('|');
        for (int i = 0; i < width.length; i++) {
            s.append(' ').append("-".repeat(width[i] - 1)).append(numeric.get(i) ? ":" : "-").append(" |");
        }
        s.append('\n');
        for (List<String> r : rows) {
            line(s, r, width);
        }
        return s.toString();
    }

    private static List<String> trimmed(List<String> cells) {
        return cells.stream().map(String::trim).toList();
    }

    private void line(StringBuilder s, List<String> cells, int[] width) {
        s.append('|');
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            s.append(' ').append(numeric.get(i) ? pad + c : c + pad).append(" |");
        }
        s.append('\n');
    }
}
