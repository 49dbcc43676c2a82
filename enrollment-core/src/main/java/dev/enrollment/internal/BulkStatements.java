package dev.enrollment.internal;

import dev.enrollment.schema.tables.StudentCourseenrollment;
import dev.enrollment.schema.tables.StudentCourseenrollmentHistory;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.LocalDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;
import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT_HISTORY;

/**
 * The statements of {@link BulkEnrollment}, rendered by jOOQ once per dialect (and batch size) and kept as text, run
 * as plain prepared statements (rendering them per batch cost more client time than the server spent on the batch).
 * Every value is a bind parameter; the parameters' order is documented on each method.
 *
 * <p>On MySQL/MariaDB the insert is a multi-row {@code VALUES}, not an {@code INSERT ... SELECT} of the ids from one
 * bound JSON array ({@code JSON_TABLE}), although the latter binds five values instead of five per row and measured
 * as fast without any driver tuning: InnoDB counts an {@code INSERT ... SELECT} as a "bulk insert", for which
 * {@code innodb_autoinc_lock_mode} 0 and 1 (MariaDB's default) hold the table's AUTO-INC lock until the statement
 * ends, so a batch waiting for one row lock (a concurrent, uncommitted enrollment of one of its users in the course)
 * would stall every enrollment insert of the table, and could deadlock with a transaction that inserts a second
 * enrollment; a multi-row {@code VALUES} is a "simple insert", which never takes that lock (BENCHMARKS.md, issue 14).
 */
final class BulkStatements {
    private static final StudentCourseenrollment E = STUDENT_COURSEENROLLMENT;
    private static final StudentCourseenrollmentHistory H = STUDENT_COURSEENROLLMENT_HISTORY;

    /** Rendered statements, per dialect (and, for the multi-row insert, the configured batch size only). */
    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();

    private BulkStatements() {
    }

    /**
     * MySQL/MariaDB: the multi-row insert of {@code rows} enrollments, parameters course_id ?, created ? (text),
     * is_active ?, mode ?, user_id ? per row, ignoring existing (user_id, course_id) pairs. About 40 characters of
     * text per row: the library's own pool raises the driver's {@code prepStmtCacheSqlLimit} so that this statement,
     * at every allowed batch size, is parsed once per connection ({@link OwnedPool}).
     */
    static String insertValuesSql(Dialect dialect, int rows, int batchSize) {
        String key = dialect + ":insertValues:" + rows;
        String cached = RENDERED.get(key);
        if (cached != null) {
            return cached;
        }
        DSLContext dsl = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
        Field<LocalDateTime> created = timeParam(dialect, "created");
        Param<String> courseId = DSL.param("courseId", String.class);
        Param<Boolean> active = DSL.param("active", Boolean.class);
        Param<String> mode = DSL.param("mode", String.class);
        Param<Long> userId = DSL.param("userId", Long.class);
        var values = dsl.insertInto(E, E.COURSE_ID, E.CREATED, E.IS_ACTIVE, E.MODE, E.USER_ID)
                .values(courseId, created, active, mode, userId);
        for (int i = 1; i < rows; i++) {
            values = values.values(courseId, created, active, mode, userId);
        }
        String sql = dsl.render(values.onDuplicateKeyIgnore());
        if (rows == batchSize) {
            RENDERED.put(key, sql);   // a last, shorter batch is rendered once per call
        }
        return sql;
    }

    /**
     * The id and is_active of the rows of a batch's users in a course: course_id ?, then on MySQL/MariaDB one user_id
     * ? per user ({@code IN}, {@code rows} of them), on PostgreSQL the user ids as one bigint[] ({@code = ANY}). Run
     * only when some users of the batch were enrolled already.
     */
    static String batchRowsSql(Dialect dialect, int rows, int batchSize) {
        boolean perRow = dialect.isMySqlFamily();
        String key = dialect + ":batchRows:" + (perRow ? rows : 0);
        String cached = RENDERED.get(key);
        if (cached != null) {
            return cached;
        }
        DSLContext dsl = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
        var where = E.COURSE_ID.eq(DSL.param("courseId", String.class));
        if (perRow) {
            java.util.List<Param<Long>> ids = new java.util.ArrayList<>();
            for (int i = 0; i < rows; i++) {
                ids.add(DSL.param("userId" + i, Long.class));
            }
            where = where.and(E.USER_ID.in(ids));
        } else {
            where = where.and(E.USER_ID.eq(DSL.any(DSL.param("userIds", Long[].class))));
        }
        String sql = dsl.render(dsl.select(E.ID, E.IS_ACTIVE).from(E).where(where));
        if (!perRow || rows == batchSize) {
            RENDERED.put(key, sql);   // a last, shorter batch is rendered once per call
        }
        return sql;
    }

    /**
     * The creation time as a bind parameter: on MySQL/MariaDB text cast to DATETIME(6) (the driver would otherwise
     * shift a {@code LocalDateTime} through the session time zone), elsewhere a TIMESTAMP(6).
     */
    static Field<LocalDateTime> timeParam(Dialect dialect, String name) {
        if (dialect.isMySqlFamily()) {
            return DSL.cast(DSL.param(name, String.class), SQLDataType.LOCALDATETIME(6));
        }
        return DSL.param(name, SQLDataType.LOCALDATETIME(6));
    }

    /**
     * PostgreSQL: the insert of one enrollment per element of a bigint[] of user ids (course_id ?, created ?,
     * is_active ?, mode ?, user ids ?), ignoring existing (user_id, course_id) pairs only: one statement of constant
     * text whatever the batch's size, five values bound.
     */
    static String insertArraySql(Dialect dialect) {
        return RENDERED.computeIfAbsent(dialect + ":insertArray", k -> {
            DSLContext dsl = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
            var u = DSL.unnest(DSL.param("userIds", Long[].class)).as("u", "user_id");
            Field<Long> userId = u.field("user_id", Long.class);
            return dsl.render(dsl.insertInto(E, E.COURSE_ID, E.CREATED, E.IS_ACTIVE, E.MODE, E.USER_ID)
                    .select(DSL.select(DSL.cast(DSL.param("courseId", String.class), SQLDataType.VARCHAR(255)),
                                    timeParam(dialect, "created"),
                                    DSL.cast(DSL.param("active", Boolean.class), SQLDataType.BOOLEAN),
                                    DSL.cast(DSL.param("mode", String.class), SQLDataType.VARCHAR(100)), userId)
                            .from(u))
                    .onConflict(E.USER_ID, E.COURSE_ID).doNothing());
        });
    }

    /**
     * The history rows ({@code +}) of the rows just inserted, written by the server: history_id from the batch's
     * base (prefix ?, low bits ?), history_date ?, reason ?, type ?, actor ?; the rows: course_id ?, created ?,
     * user_id between ? and ?, mode ?, is_active ?.
     */
    static String historySql(Dialect dialect) {
        return RENDERED.computeIfAbsent(dialect + ":history", k -> {
            DSLContext dsl = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
            Param<String> prefix = DSL.param("prefix", String.class);
            Param<Long> low = DSL.param("low", Long.class);
            // 16 hex digits of time, version and counter, then the low 64 bits XOR the enrollment id.
            Field<String> historyId = dialect.isMySqlFamily()
                    ? DSL.field("lower(concat({0}, lpad(hex({1} ^ {2}), 16, '0')))", String.class, prefix, low, E.ID)
                    : DSL.field("cast({0} || lpad(to_hex({1} # {2}), 16, '0') as uuid)", String.class,
                    DSL.cast(prefix, SQLDataType.VARCHAR), DSL.cast(low, SQLDataType.BIGINT), E.ID);
            Field<String> reason = DSL.cast(DSL.param("reason", String.class), SQLDataType.VARCHAR(100));
            Field<String> type = DSL.cast(DSL.param("type", String.class), SQLDataType.VARCHAR(1));
            Field<Long> actor = DSL.cast(DSL.param("actor", Long.class), SQLDataType.BIGINT);
            if (dialect.isMySqlFamily()) {
                reason = DSL.param("reason", String.class);
                type = DSL.param("type", String.class);
                actor = DSL.param("actor", Long.class);
            }
            return dsl.render(dsl.insertInto(H, H.HISTORY_ID, H.ID, H.CREATED, H.IS_ACTIVE, H.MODE, H.HISTORY_DATE,
                            H.HISTORY_CHANGE_REASON, H.HISTORY_TYPE, H.COURSE_ID, H.HISTORY_USER_ID, H.USER_ID)
                    .select(DSL.select(historyId, E.ID, E.CREATED, E.IS_ACTIVE, E.MODE, timeParam(dialect, "date"),
                                    reason, type, E.COURSE_ID, actor, E.USER_ID)
                            .from(E)
                            .where(E.COURSE_ID.eq(DSL.param("courseId", String.class))
                                    .and(E.CREATED.eq(timeParam(dialect, "created")))
                                    .and(E.USER_ID.between(DSL.param("low", Long.class),
                                            DSL.param("high", Long.class)))
                                    .and(E.MODE.eq(DSL.param("mode", String.class)))
                                    .and(E.IS_ACTIVE.eq(DSL.param("active", Boolean.class))))));
        });
    }
}
