package dev.enrollment.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;

/**
 * Fills a benchmark database fast, behind the library's back: batched inserts that the driver rewrites into
 * multi-row INSERTs ({@code rewriteBatchedStatements}), committed every {@value #COMMIT_EVERY} rows, in primary-key
 * order. About 50,000-150,000 rows/s on a small machine.
 */
public final class Loader {
    static final int BATCH = 2_000;
    static final int COMMIT_EVERY = 20_000;
    private static final String UNUSABLE_PASSWORD = "!benchmarkbenchmarkbenchmarkbenchmarkbench";

    private Loader() {
    }

    /**
     * Inserts users {@code bench_<i>} for i from 0 to n - 1; ids follow the table's auto-increment.
     *
     * @param db the database
     * @param n  how many
     * @return their ids, in insertion order
     */
    public static long[] users(BenchDatabase db, int n) {
        String sql = "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, "
                + "email, is_staff, is_active, date_joined) VALUES (?, NULL, FALSE, ?, '', '', ?, FALSE, TRUE, "
                + time(db) + ")";
        String now = LibrarySql.now();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < n; i++) {
                    ps.setString(1, UNUSABLE_PASSWORD);
                    ps.setString(2, "bench_" + i);
                    ps.setString(3, "bench_" + i + "@example.com");
                    ps.setString(4, now);
                    ps.addBatch();
                    flush(c, ps, i + 1, n);
                }
            }
            long[] ids = new long[n];
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM auth_user WHERE username LIKE 'bench\\_%' ORDER BY id")) {
                int i = 0;
                while (rs.next() && i < n) {
                    ids[i++] = rs.getLong(1);
                }
                if (i != n) {
                    throw new IllegalStateException("loaded " + n + " users, found " + i);
                }
            }
            c.commit();
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("loading users: " + e.getMessage(), e);
        }
    }

    /**
     * Inserts n enrollments; row i gets the user, course, and active flag the functions give it.
     *
     * @param db     the database
     * @param n      how many
     * @param user   row index to user id
     * @param course row index to course key text
     * @param active row index to is_active
     * @param mode   the mode slug of every row
     */
    public static void enrollments(BenchDatabase db, long n, LongUnaryOperator user, LongFunction<String> course,
                                   LongPredicate active, String mode) {
        String sql = "INSERT INTO student_courseenrollment (course_id, created, is_active, mode, user_id) "
                + "VALUES (?, " + time(db) + ", ?, ?, ?)";
        String now = LibrarySql.now();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (long i = 0; i < n; i++) {
                    ps.setString(1, course.apply(i));
                    ps.setString(2, now);
                    ps.setBoolean(3, active.test(i));
                    ps.setString(4, mode);
                    ps.setLong(5, user.applyAsLong(i));
                    ps.addBatch();
                    flush(c, ps, i + 1, n);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("loading enrollments: " + e.getMessage(), e);
        }
    }

    /** @return the placeholder of a time bound as {@link LibrarySql#now()}'s text, cast on each server */
    static String time(BenchDatabase db) {
        return db.postgres() ? "cast(? as timestamp(6))" : "cast(? as datetime(6))";
    }

    private static void flush(Connection c, PreparedStatement ps, long done, long n) throws SQLException {
        if (done % BATCH == 0 || done == n) {
            ps.executeBatch();
        }
        if (done % COMMIT_EVERY == 0 || done == n) {
            c.commit();
        }
    }
}
