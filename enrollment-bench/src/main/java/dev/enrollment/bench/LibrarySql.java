package dev.enrollment.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The statements enrollment-core sends on MariaDB/MySQL, copied from what the {@link RoundTrips} interceptor
 * captured, and the library's getOrCreate and isEnrolled logic written by hand on plain JDBC: the baseline of the
 * overhead scenario, which checks at run time that the library still sends these statements, and says so if not.
 */
public final class LibrarySql {
    /** The library's read of one enrollment. */
    public static final String SELECT_ENROLLMENT = "select student_courseenrollment.id, "
            + "student_courseenrollment.user_id, student_courseenrollment.course_id, student_courseenrollment.mode, "
            + "student_courseenrollment.is_active, student_courseenrollment.created "
            + "from student_courseenrollment "
            + "where (student_courseenrollment.user_id = ? and student_courseenrollment.course_id = ?)";
    /** The same read, locking: the library's re-read after a refused insert when a plain read misses the row. */
    public static final String SELECT_ENROLLMENT_FOR_UPDATE = SELECT_ENROLLMENT + " for update";
    /** The library's race-safe insert: a plain INSERT, whose duplicate-key error fails the statement alone. */
    public static final String INSERT = "insert into student_courseenrollment "
            + "(course_id, created, is_active, mode, user_id) values (?, cast(? as datetime(6)), ?, ?, ?)";
    /** The library's isEnrolled. */
    public static final String IS_ENROLLED = "select 1 as one from student_courseenrollment where "
            + "(student_courseenrollment.user_id = ? and student_courseenrollment.course_id = ? "
            + "and student_courseenrollment.is_active = true)";
    /** The library's history row (Open edX's django-simple-history table), one per change. */
    public static final String INSERT_HISTORY = "insert into student_courseenrollment_history (history_id, id, "
            + "created, is_active, mode, history_date, history_change_reason, history_type, course_id, "
            + "history_user_id, user_id) values (?, ?, cast(? as datetime(6)), ?, ?, cast(? as datetime(6)), null, ?, "
            + "?, null, ?)";
    /** The user-row write of the contention scenario's writers and of the touch workload (bench code only). */
    public static final String TOUCH_USER = "UPDATE auth_user SET last_login = ? WHERE id = ?";

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.|'')*'");
    private static final Pattern NUMBER = Pattern.compile("\\b\\d+\\b");
    private static final int MAX_ROUNDS = 3;

    /** An enrollment row as the baseline reads it. */
    public record Row(long id, String mode, boolean active, LocalDateTime created) {
    }

    private LibrarySql() {
    }

    /** @return now, as the library binds it: UTC, microseconds, text cast to DATETIME(6) */
    public static String now() {
        return MICROS.format(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
    }

    /**
     * getOrCreate for a saved user, as the library does it outside a transaction: read in autocommit; if absent,
     * one transaction, begun and committed by statements on the connection left in autocommit mode, that inserts
     * and writes the history row ({@code +}) of the row it created, or, if a duplicate key refused the insert, reads
     * the row again (locking, if a plain read misses it).
     *
     * @param c      a connection in autocommit mode
     * @param userId the user
     * @param course the course key's text
     * @return the row
     */
    public static Row getOrCreate(Connection c, long userId, String course) throws SQLException {
        Row existing = select(c, userId, course, false);
        if (existing != null) {
            return existing;
        }
        try (Statement control = c.createStatement()) {
            control.execute("start transaction");
        }
        try {
            Row row = insertThenRead(c, userId, course);
            try (Statement control = c.createStatement()) {
                control.execute("commit");
            }
            return row;
        } catch (SQLException | RuntimeException e) {
            try (Statement control = c.createStatement()) {
                control.execute("rollback");
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
    }

    /**
     * isEnrolled, as the library does it.
     *
     * @param c      a connection in autocommit mode
     * @param userId the user
     * @param course the course key's text
     * @return whether an active enrollment exists
     */
    public static boolean isEnrolled(Connection c, long userId, String course) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(IS_ENROLLED)) {
            ps.setLong(1, userId);
            ps.setString(2, course);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Row insertThenRead(Connection c, long userId, String course) throws SQLException {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            String now = now();
            try (PreparedStatement ps = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, course);
                ps.setString(2, now);
                ps.setBoolean(3, false);
                ps.setString(4, "audit");
                ps.setLong(5, userId);
                boolean inserted;
                try {
                    ps.executeUpdate();
                    inserted = true;
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1062) {
                        throw e;
                    }
                    inserted = false;   // the row exists: read it below
                }
                try (ResultSet keys = inserted ? ps.getGeneratedKeys() : null) {
                    if (keys != null && keys.next()) {
                        Row row = new Row(keys.getLong(1), "audit", false, LocalDateTime.parse(now, MICROS));
                        try (PreparedStatement h = c.prepareStatement(INSERT_HISTORY)) {
                            bindHistory(h, row.id(), userId, course, row.mode(), row.active(), now, now(), "+");
                            h.executeUpdate();
                        }
                        return row;
                    }
                }
            }
            Row existing = select(c, userId, course, false);
            if (existing == null) {
                existing = select(c, userId, course, true);   // the snapshot may predate the row: read the latest
            }
            if (existing != null) {
                return existing;
            }
        }
        throw new SQLException("getOrCreate: the row was deleted under us " + MAX_ROUNDS + " times");
    }

    /**
     * Binds one row of {@link #INSERT_HISTORY} (or one batch entry of it).
     *
     * @param h           the statement
     * @param id          the enrollment's id
     * @param userId      its user
     * @param course      its course key's text
     * @param mode        its mode slug
     * @param active      its is_active
     * @param created     its created time, as {@link #now()} formats it
     * @param historyDate the change's time, likewise
     * @param type        {@code +}, {@code ~} or {@code -}
     */
    public static void bindHistory(PreparedStatement h, long id, long userId, String course, String mode,
                                   boolean active, String created, String historyDate, String type)
            throws SQLException {
        h.setString(1, dev.enrollment.internal.HistoryIds.next());   // a time-ordered UUID, as the library writes
        h.setLong(2, id);
        h.setString(3, created);
        h.setBoolean(4, active);
        h.setString(5, mode);
        h.setString(6, historyDate);
        h.setString(7, type);
        h.setString(8, course);
        h.setLong(9, userId);
    }

    private static Row select(Connection c, long userId, String course, boolean locking) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(locking ? SELECT_ENROLLMENT_FOR_UPDATE : SELECT_ENROLLMENT)) {
            ps.setLong(1, userId);
            ps.setString(2, course);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Row(rs.getLong(1), rs.getString(4), rs.getBoolean(5),
                        rs.getObject(6, LocalDateTime.class));
            }
        }
    }

    /**
     * Replaces literals by {@code ?}, so statements captured with different values compare equal.
     *
     * @param statements captured statements
     * @return their shapes
     */
    public static List<String> shapes(List<String> statements) {
        return statements.stream()
                .map(s -> NUMBER.matcher(STRING_LITERAL.matcher(s).replaceAll("?")).replaceAll("?"))
                .toList();
    }
}
