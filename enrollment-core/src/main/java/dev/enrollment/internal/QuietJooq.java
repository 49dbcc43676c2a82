package dev.enrollment.internal;

/**
 * Keeps jOOQ's start-up chatter out of a consumer's log: its ASCII logo, its tip of the day, and the "Version
 * mismatch" warning it logs when the server's version is not one the open-source dialect was tested with (every
 * MariaDB 10.x). These are jOOQ's documented switches, all system properties read when jOOQ first renders or
 * executes; one already set (by the application, or on the command line) is left as it is.
 */
public final class QuietJooq {
    /** jOOQ's switch for the logo, printed once per JVM at the first rendering. */
    static final String NO_LOGO = "org.jooq.no-logo";
    /** jOOQ's switch for the tip of the day, printed once per JVM. */
    static final String NO_TIPS = "org.jooq.no-tips";
    /** The threshold of the logger behind the version warning ({@code org.jooq.log.<logger>}, read per message). */
    static final String VERSION_WARNING = "org.jooq.log.org.jooq.impl.DefaultExecuteContext.logVersionSupport";

    private QuietJooq() {
    }

    /** Sets each switch that is not set yet. Idempotent. */
    public static void apply() {
        setIfAbsent(NO_LOGO, "true");
        setIfAbsent(NO_TIPS, "true");
        setIfAbsent(VERSION_WARNING, "ERROR");
    }

    private static void setIfAbsent(String key, String value) {
        try {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        } catch (SecurityException e) {
            // a JVM that forbids it keeps jOOQ's defaults
        }
    }
}
