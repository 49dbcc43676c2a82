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

    static Instant instant(LocalDateTime utc) {
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }
}
