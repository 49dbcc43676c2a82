package dev.enrollment.internal;

import dev.enrollment.CourseKey;
import dev.enrollment.CourseMode;
import dev.enrollment.DatabaseException;
import dev.enrollment.InvalidInputException;


/** Values read from rows, which other software may have written: a bad one is a database problem, not bad input. */
final class Rows {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rows.class);

    /** Causes already logged; bounded, so that a table full of distinct bad values cannot grow it forever. */
    private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_LOGGED = 1000;
    /** The modes the library knows, by slug: looked up without an exception for the modes it does not. */
    private static final java.util.Map<String, CourseMode> MODES = java.util.Arrays.stream(CourseMode.values())
            .collect(java.util.stream.Collectors.toUnmodifiableMap(CourseMode::slug, m -> m));

    private Rows() {
    }

    /** True the first time a cause is seen (then it is logged); false after, or once too many causes were seen. */
    static boolean firstTime(String cause) {
        return LOGGED.size() < MAX_LOGGED && LOGGED.add(cause);
    }

    static CourseKey courseKey(String value, String table, long rowId) {
        try {
            return CourseKey.parse(value);
        } catch (InvalidInputException e) {
            throw new DatabaseException("read", 1, table + " row " + rowId + " has a course_id this library cannot "
                    + "parse (" + e.rule() + ")", null);
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
            if (firstTime(table + " course_id: " + e.rule())) {
                LOG.warn("{} has rows whose course_id the library cannot parse ({}; first seen: row {}); they are "
                        + "left out of typed results. Logged once per cause.", table, e.rule(), rowId);
            }
            return null;
        }
    }

    /** A mode read from a row, or null when it is not one of the modes the library knows (logged once per mode). */
    static CourseMode modeOrNull(String slug, long rowId) {
        CourseMode mode = slug == null ? null : MODES.get(slug);
        if (mode == null && firstTime("mode: " + slug)) {
            LOG.warn("student_courseenrollment has rows in mode '{}', which the library does not know (first "
                    + "seen: row {}); they are left out of typed results and counts, and enroll() or changeMode() "
                    + "overwrite the mode. Logged once per mode.", slug, rowId);
        }
        return mode;
    }

    /**
     * Whether a stored email is this one: emails ignore case, and only case (MySQL's default collations also fold
     * accents, which this undoes).
     *
     * @param stored the stored email, may be null
     * @param key    the email, lower-cased
     * @return true when it is the same email
     */
    static boolean sameEmail(String stored, String key) {
        return stored != null && stored.toLowerCase(java.util.Locale.ROOT).equals(key);
    }

    /** The stored course key when it differs from the one asked for (a case-insensitive collation matched it). */
    static CourseKey stored(CourseKey asked, String stored, long rowId) {
        if (stored == null || stored.equals(asked.toString())) {
            return asked;
        }
        return courseKey(stored, "student_courseenrollment", rowId);
    }
}
