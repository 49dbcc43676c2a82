package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.InvalidInputException;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Values read from rows, which other software may have written: a bad one is a database problem, not bad input. */
final class Rows {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rows.class);

    private Rows() {
    }

    static CourseKey courseKey(String value, String table, long rowId) {
        try {
            return CourseKey.parse(value);
        } catch (InvalidInputException e) {
            throw new DatabaseException("read", 1, table + " row " + rowId + " has a course_id this library cannot "
                    + "parse (" + e.rule() + ")", null);
        }
    }

    static CourseMode mode(String slug, long rowId) {
        try {
            return CourseMode.of(slug);
        } catch (InvalidInputException e) {
            throw new DatabaseException("read", 1, "student_courseenrollment row " + rowId
                    + " has a mode that is not one of the Open edX modes in CourseMode", null);
        }
    }

    /**
     * A course key read from a row, or null when the library cannot parse it (Open edX also stores CCX keys such
     * as {@code ccx-v1:edX+DemoX+Demo+ccx@3}): such rows are left out of typed results and logged, never fatal.
     */
    static CourseKey courseKeyOrNull(String value, String table, long rowId) {
        try {
            return CourseKey.parse(value);
        } catch (InvalidInputException e) {
            LOG.warn("{} row {} has a course_id the library cannot parse ({}); it is left out", table, rowId,
                    e.rule());
            return null;
        }
    }

    /** A mode read from a row, or null when it is not one of the modes the library knows (logged). */
    static CourseMode modeOrNull(String slug, long rowId) {
        try {
            return CourseMode.of(slug);
        } catch (InvalidInputException e) {
            LOG.warn("student_courseenrollment row {} has a mode the library does not know; it is left out", rowId);
            return null;
        }
    }

    /** The stored course key when it differs from the one asked for (a case-insensitive collation matched it). */
    static CourseKey stored(CourseKey asked, String stored, long rowId) {
        if (stored == null || stored.equals(asked.toString())) {
            return asked;
        }
        return courseKey(stored, "student_courseenrollment", rowId);
    }

    static Instant instant(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }
}
