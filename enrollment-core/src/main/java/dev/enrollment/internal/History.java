package dev.enrollment.internal;

import dev.enrollment.Enrollment;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import static dev.enrollment.schema.Tables.STUDENT_COURSEENROLLMENT_HISTORY;

/**
 * Writes {@code student_courseenrollment_history} rows, as Open edX's django-simple-history does: one row per change,
 * keyed by a time-ordered UUID ({@link HistoryIds}), with the enrollment's values after the change (before it, for a
 * delete), {@code history_type} {@code +}/{@code ~}/{@code -}, the time, and who made the change and why.
 */
final class History {
    /** {@code history_type} of a created row. */
    static final String CREATED = "+";
    /** {@code history_type} of a changed row. */
    static final String CHANGED = "~";
    /** {@code history_type} of a deleted row. */
    static final String DELETED = "-";

    private History() {
    }

    /**
     * Writes one history row holding the enrollment's values, in the session's transaction.
     *
     * @param s      the session
     * @param type   {@link #CREATED}, {@link #CHANGED} or {@link #DELETED}
     * @param row    the row's values after the change (before it, for a delete)
     * @param change who and why
     */
    static void write(Session s, String type, Enrollment row, Change change) {
        String rendered = s.db().statements().insertHistory;
        if (rendered == null) {
            writeAll(s, type, List.of(EnrollmentRow.of(row)), change);
            return;
        }
        // MySQL/MariaDB: one row on every change, so the statement is rendered once.
        try (java.sql.PreparedStatement ps = s.connection().prepareStatement(rendered)) {
            ps.setString(1, HistoryIds.next());
            ps.setLong(2, row.id());
            ps.setString(3, row.created() == null ? null : Timestamps.mysqlText(row.created()));
            ps.setBoolean(4, row.isActive());
            ps.setString(5, row.mode().slug());
            ps.setString(6, Timestamps.mysqlText(Instant.now()));
            ps.setString(7, change.reason());
            ps.setString(8, type);
            ps.setString(9, row.courseKey().toString());
            if (change.actorId() == null) {
                ps.setNull(10, java.sql.Types.BIGINT);
            } else {
                ps.setLong(10, change.actorId());
            }
            ps.setLong(11, row.user().id().getAsLong());
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new org.jooq.exception.DataAccessException("insert history", e);
        }
    }

    /**
     * Writes one history row per enrollment, of one type, in one multi-row insert.
     *
     * @param s      the session
     * @param type   {@link #CREATED}, {@link #CHANGED} or {@link #DELETED}
     * @param rows   the rows' values
     * @param change who and why
     */
    static void writeAll(Session s, String type, List<EnrollmentRow> rows, Change change) {
        if (rows.isEmpty()) {
            return;
        }
        var h = STUDENT_COURSEENROLLMENT_HISTORY;
        Field<LocalDateTime> now = Timestamps.field(s.db().dialect(), Instant.now());
        boolean uuidColumn = s.db().dialect() == Dialect.POSTGRES;
        var insert = s.dsl().insertInto(h, h.HISTORY_ID, h.ID, h.CREATED, h.IS_ACTIVE, h.MODE, h.HISTORY_DATE,
                h.HISTORY_CHANGE_REASON, h.HISTORY_TYPE, h.COURSE_ID, h.HISTORY_USER_ID, h.USER_ID);
        for (EnrollmentRow r : rows) {
            // PostgreSQL's column is a uuid: the same 32 hex digits, cast there.
            Field<String> historyId = uuidColumn
                    ? DSL.cast(DSL.val(HistoryIds.next()), SQLDataType.UUID).coerce(h.HISTORY_ID)
                    : DSL.val(HistoryIds.next(), h.HISTORY_ID);
            insert = insert.values(historyId, DSL.val(r.id(), h.ID),
                    r.created() == null ? DSL.val((LocalDateTime) null, h.CREATED) : Timestamps.field(s.db().dialect(), r.created()),
                    DSL.val(r.active(), h.IS_ACTIVE), DSL.val(r.mode(), h.MODE), now,
                    DSL.val(change.reason(), h.HISTORY_CHANGE_REASON), DSL.val(type, h.HISTORY_TYPE),
                    DSL.val(r.courseId(), h.COURSE_ID), DSL.val(change.actorId(), h.HISTORY_USER_ID),
                    DSL.val(r.userId(), h.USER_ID));
        }
        insert.execute();
    }
}
