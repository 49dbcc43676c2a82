package dev.enrollment.bench;

import dev.enrollment.internal.HistoryIds;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Scenario 6 (MySQL/MariaDB only): what the history table's key costs on InnoDB. The same N history rows are
 * inserted into a fresh {@code student_courseenrollment_history} (CHAR(32) primary key, four secondary indexes),
 * once with time-ordered version-7 UUIDs (what the library writes) and once with random version-4 UUIDs (what
 * Django's {@code uuid4} default writes), in multi-row inserts of 1,000 rows, a commit each; then the table's size
 * and pages per index from InnoDB's persistent statistics after {@code ANALYZE TABLE}. Twice each: v7, v4, v4, v7.
 */
public final class HistoryKeysScenario implements Scenario {
    private static final int BATCH = 1_000;
    private static final String INSERT = "INSERT INTO student_courseenrollment_history (history_id, id, created, "
            + "is_active, mode, history_date, history_change_reason, history_type, course_id, history_user_id, "
            + "user_id) VALUES (?, ?, cast(? as datetime(6)), 1, 'audit', cast(? as datetime(6)), NULL, '+', ?, NULL, ?)";

    private record Kind(String name, Supplier<String> ids) {
    }

    private static final Kind V7 = new Kind("version 7 (time-ordered, the library's)", HistoryIds::next);
    private static final Kind V4 = new Kind("version 4 (random, Django's uuid4 default)",
            () -> UUID.randomUUID().toString().replace("-", ""));

    @Override
    public String name() {
        return "historykeys";
    }

    @Override
    public String summary() {
        return "history rows keyed by version-7 against version-4 UUIDs in CHAR(32) on InnoDB: rows/s and pages";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        report.heading("History keys: version-7 against version-4 UUIDs on InnoDB");
        if (server.postgres()) {
            report.paragraph("Skipped: this scenario measures InnoDB's clustered primary key.");
            return;
        }
        int rows = quick ? 50_000 : 300_000;
        report.paragraph(String.format(Locale.ROOT, "%,d history rows into a fresh, migrated "
                + "`student_courseenrollment_history` (history_id CHAR(32) primary key; indexes on id, created, "
                + "course_id, user_id), in multi-row inserts of %,d rows, one commit each, one thread; only the key "
                + "differs. Then `ANALYZE TABLE` and InnoDB's persistent statistics (`mysql.innodb_index_stats`: "
                + "`size` is pages allocated to the index, `n_leaf_pages` its leaf pages) and "
                + "`information_schema.TABLES` (data and index length). Order v7, v4, v4, v7.", rows, BATCH));
        Table t = new Table("key ", "rows", "seconds", "rows/s", "PRIMARY pages (leaf)", "secondary pages (sum)",
                "data MiB", "index MiB", "load avg");
        Map<Kind, List<Double>> rates = new LinkedHashMap<>();
        for (Kind kind : List.of(V7, V4, V4, V7)) {
            try (BenchDatabase db = server.create("historykeys").open(2)) {
                double load = Machine.loadAverage();
                double seconds = insert(db, kind, rows);
                rates.computeIfAbsent(kind, k -> new ArrayList<>()).add(rows / seconds);
                db.execute("ANALYZE TABLE student_courseenrollment_history");
                long[] pages = pages(db);
                long data = db.queryLong("SELECT DATA_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                        + "DATABASE() AND TABLE_NAME = 'student_courseenrollment_history'");
                long index = db.queryLong("SELECT INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                        + "DATABASE() AND TABLE_NAME = 'student_courseenrollment_history'");
                t.row(kind.name(), Format.count(rows), String.format(Locale.ROOT, "%.2f", seconds),
                        Format.rate(rows / seconds), Format.count(pages[0]) + " (" + Format.count(pages[1]) + ")",
                        Format.count(pages[2]), String.format(Locale.ROOT, "%.1f", data / 1048576.0),
                        String.format(Locale.ROOT, "%.1f", index / 1048576.0),
                        String.format(Locale.ROOT, "%.1f", load));
                report.progress(String.format(Locale.ROOT, "historykeys: %s: %.2f s, %,d primary pages", kind.name(),
                        seconds, pages[0]));
            }
        }
        report.table(t);
        double v7 = rates.get(V7).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double v4 = rates.get(V4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        report.paragraph(String.format(Locale.ROOT, "Mean insert rate, v7 / v4: %s.", Format.ratio(v7, v4)));
    }

    private static double insert(BenchDatabase db, Kind kind, int rows) throws SQLException {
        String now = LibrarySql.now();
        long t0 = System.nanoTime();
        try (Connection c = db.pool().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int i = 1; i <= rows; i++) {
                    ps.setString(1, kind.ids().get());
                    ps.setLong(2, i);
                    ps.setString(3, now);
                    ps.setString(4, now);
                    ps.setString(5, "course-v1:Bench+K" + (i % 50) + "+2026");
                    ps.setLong(6, i);
                    ps.addBatch();
                    if (i % BATCH == 0 || i == rows) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** @return PRIMARY's pages, its leaf pages, and the secondary indexes' pages */
    private static long[] pages(BenchDatabase db) throws SQLException {
        long[] out = new long[3];
        try (Connection c = db.pool().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT index_name, stat_name, stat_value FROM "
                     + "mysql.innodb_index_stats WHERE database_name = DATABASE() "
                     + "AND table_name = 'student_courseenrollment_history' AND stat_name IN ('size', 'n_leaf_pages')");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                boolean primary = "PRIMARY".equals(rs.getString(1));
                boolean size = "size".equals(rs.getString(2));
                if (primary) {
                    out[size ? 0 : 1] += rs.getLong(3);
                } else if (size) {
                    out[2] += rs.getLong(3);
                }
            }
        }
        return out;
    }
}
