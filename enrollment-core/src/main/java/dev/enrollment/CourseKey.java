package dev.enrollment;

import dev.enrollment.internal.Checks;

/**
 * An Open edX course key: {@code course-v1:ORG+COURSE+RUN}, or the deprecated {@code ORG/COURSE/RUN}. Immutable;
 * equal when the canonical strings are equal.
 *
 * <p>Each part is at least one character of {@code [A-Za-z0-9_.~:-]}; the whole key is at most 255 characters
 * (the width of {@code student_courseenrollment.course_id}).
 */
public final class CourseKey {
    /** The longest key that fits {@code student_courseenrollment.course_id}. */
    public static final int MAX_LENGTH = 255;

    private static final String PREFIX = "course-v1:";

    private final String org;
    private final String course;
    private final String run;
    private final String canonical;

    private CourseKey(String org, String course, String run, String canonical) {
        this.org = org;
        this.course = course;
        this.run = run;
        this.canonical = canonical;
    }

    /**
     * Parses a course key.
     *
     * @param key {@code course-v1:ORG+COURSE+RUN} or {@code ORG/COURSE/RUN}
     * @return the parsed key
     * @throws InvalidInputException if the key is null, empty, longer than 255 characters, not of either form, has
     *                               an empty part, or contains a character outside {@code [A-Za-z0-9_.~:-]}
     */
    public static CourseKey parse(String key) {
        if (key == null) {
            throw new InvalidInputException("course", "must not be null");
        }
        if (key.isEmpty()) {
            throw new InvalidInputException("course", "must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new InvalidInputException("course",
                    "must be at most " + MAX_LENGTH + " characters (was " + key.length() + ")");
        }
        final String[] parts;
        if (key.startsWith(PREFIX)) {
            parts = split(key.substring(PREFIX.length()), '+');
        } else if (key.indexOf('/') >= 0) {
            parts = split(key, '/');
        } else {
            throw new InvalidInputException("course",
                    "must be course-v1:ORG+COURSE+RUN or the deprecated ORG/COURSE/RUN");
        }
        String[] names = {"organization", "course", "run"};
        for (int i = 0; i < 3; i++) {
            Checks.courseKeyPart(names[i], parts[i]);
        }
        return new CourseKey(parts[0], parts[1], parts[2], key);
    }

    private static String[] split(String body, char separator) {
        String[] parts = new String[3];
        int start = 0;
        for (int i = 0; i < 2; i++) {
            int end = body.indexOf(separator, start);
            if (end < 0) {
                throw new InvalidInputException("course", "must have three parts, ORG" + separator + "COURSE"
                        + separator + "RUN (a part is missing)");
            }
            parts[i] = body.substring(start, end);
            start = end + 1;
        }
        parts[2] = body.substring(start);
        if (parts[2].indexOf(separator) >= 0) {
            throw new InvalidInputException("course", "must have exactly three parts, ORG" + separator + "COURSE"
                    + separator + "RUN (found more)");
        }
        return parts;
    }

    /**
     * Returns the organization part.
     *
     * @return the ORG part
     */
    public String org() {
        return org;
    }

    /**
     * Returns the course part.
     *
     * @return the COURSE part
     */
    public String course() {
        return course;
    }

    /**
     * Returns the run part.
     *
     * @return the RUN part
     */
    public String run() {
        return run;
    }

    /**
     * Tells whether the key has the deprecated {@code ORG/COURSE/RUN} form.
     *
     * @return true for the slash form
     */
    public boolean isDeprecatedForm() {
        return !canonical.startsWith(PREFIX);
    }

    /**
     * Returns the canonical string, as stored in {@code course_id}: {@link #parse} of it gives an equal key.
     *
     * @return {@code course-v1:ORG+COURSE+RUN} or {@code ORG/COURSE/RUN}
     */
    @Override
    public String toString() {
        return canonical;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof CourseKey && canonical.equals(((CourseKey) o).canonical));
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }
}
