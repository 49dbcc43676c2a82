package dev.enrollment.internal;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The times the library writes: UTC with microseconds, in every dialect.
 *
 * <p>On MySQL and MariaDB a time is bound as text and cast to {@code DATETIME(6)}: mysql-connector-j reads MariaDB's
 * version as 5.5.5 (the replication prefix) and then truncates fractional seconds of bound timestamps.
 */
final class Timestamps {
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private Timestamps() {
    }

    /**
     * The time as UTC, truncated to microseconds (what every column keeps).
     *
     * @param instant the time
     * @return the UTC date and time
     */
    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /**
     * Formats a time as the text that MySQL/MariaDB statements cast to {@code DATETIME(6)}.
     *
     * @param instant the time
     * @return UTC, microseconds, {@code yyyy-MM-dd HH:mm:ss.SSSSSS}
     */
    static String mysqlText(Instant instant) {
        return MICROS.format(utc(instant));
    }

    /**
     * A bound time to write in a jOOQ statement.
     *
     * @param dialect the dialect
     * @param instant the time
     * @return a field holding the bound value (text cast to {@code DATETIME(6)} on MySQL/MariaDB)
     */
    static Field<LocalDateTime> field(Dialect dialect, Instant instant) {
        if (dialect.isMySqlFamily()) {
            return DSL.cast(DSL.val(mysqlText(instant)), SQLDataType.LOCALDATETIME(6));
        }
        return DSL.val(utc(instant), SQLDataType.LOCALDATETIME(6));
    }

    /**
     * A time read from a column holding UTC.
     *
     * @param utc the column's value, may be null
     * @return the instant, or null
     */
    static Instant instant(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }
}
