package dev.enrollment.internal;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT;

/**
 * The hottest statements, rendered once per database by jOOQ from the generated tables (with {@code ?} for every
 * value, bound at execution) and run as plain prepared statements: rendering the same query on every call, with
 * its own DSLContext, cost about three times the client CPU of hand-written JDBC (measured by enrollment-bench's
 * overhead scenario). The SQL is still jOOQ's, never built from strings, and every value is a bind value.
 */
final class Statements {
    /** {@link EnrollmentRow#FIELDS} of the row for (user_id ?, course_id ?). */
    final String selectEnrollment;
    /** One row when (user_id ?, course_id ?) has an active enrollment. */
    final String isEnrolled;

    /**
     * MySQL/MariaDB only, else null: the insert of one enrollment (course_id, created as text, is_active, mode,
     * user_id), its id from the generated keys. A plain INSERT, not INSERT IGNORE (which would also turn truncated
     * values and other unique indexes into warnings): its duplicate-key error rolls back only the statement.
     */
    final String insertEnrollment;
    /**
     * MySQL/MariaDB only, else null: one history row (history_id, id, created as text or null, is_active, mode, history_date as
     * text, reason, type, course_id, actor or null, user_id).
     */
    final String insertHistory;

    Statements(Dialect dialect) {
        var e = STUDENT_COURSEENROLLMENT;
        DSLContext dsl = DSL.using(dialect.sqlDialect(), Database.SETTINGS);
        selectEnrollment = dsl.render(dsl.select(EnrollmentRow.FIELDS)
                .from(e)
                .where(e.USER_ID.eq(DSL.param("userId", Long.class))
                        .and(e.COURSE_ID.eq(DSL.param("courseId", String.class)))));
        isEnrolled = dsl.render(dsl.selectOne()
                .from(e)
                .where(e.USER_ID.eq(DSL.param("userId", Long.class))
                        .and(e.COURSE_ID.eq(DSL.param("courseId", String.class)))
                        .and(e.IS_ACTIVE.isTrue())));
        if (dialect.isMySqlFamily()) {
            var datetime = org.jooq.impl.SQLDataType.LOCALDATETIME(6);
            insertEnrollment = dsl.render(dsl.insertInto(e)
                    .set(e.COURSE_ID, DSL.param("courseId", String.class))
                    .set(e.CREATED, DSL.cast(DSL.param("created", String.class), datetime))
                    .set(e.IS_ACTIVE, DSL.param("active", Boolean.class))
                    .set(e.MODE, DSL.param("mode", String.class))
                    .set(e.USER_ID, DSL.param("userId", Long.class)));
            var h = dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT_HISTORY;
            insertHistory = dsl.render(dsl.insertInto(h)
                    .set(h.HISTORY_ID, DSL.param("historyId", String.class))
                    .set(h.ID, DSL.param("id", Long.class))
                    .set(h.CREATED, DSL.cast(DSL.param("created", String.class), datetime))
                    .set(h.IS_ACTIVE, DSL.param("active", Boolean.class))
                    .set(h.MODE, DSL.param("mode", String.class))
                    .set(h.HISTORY_DATE, DSL.cast(DSL.param("date", String.class), datetime))
                    .set(h.HISTORY_CHANGE_REASON, DSL.param("reason", String.class))
                    .set(h.HISTORY_TYPE, DSL.param("type", String.class))
                    .set(h.COURSE_ID, DSL.param("courseId", String.class))
                    .set(h.HISTORY_USER_ID, DSL.param("actor", Long.class))
                    .set(h.USER_ID, DSL.param("userId", Long.class)));
        } else {
            insertEnrollment = null;
            insertHistory = null;
        }
    }
}
