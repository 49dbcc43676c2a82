package dev.enrollment.internal;

import dev.enrollment.InvalidInputException;
import dev.enrollment.User;

/**
 * Who makes a change and why, recorded in the history rows.
 *
 * @param actorId the acting user's id, or null
 * @param reason  the reason, at most 100 characters, or null
 */
public record Change(Long actorId, String reason) {
    /** No actor, no reason. */
    public static final Change NONE = new Change(null, null);
    /** {@code student_courseenrollment_history.history_change_reason} width. */
    public static final int REASON_MAX = 100;

    /**
     * Validates and makes a change description.
     *
     * @param actor  a saved user or null
     * @param reason at most 100 characters, or null
     * @return the change
     */
    public static Change of(User actor, String reason) {
        Long actorId = actor == null ? null : Checks.savedUserId(actor);
        if (reason != null) {
            int length = reason.codePointCount(0, reason.length());
            if (length > REASON_MAX) {
                throw new InvalidInputException("reason",
                        "must be at most " + REASON_MAX + " characters (was " + length + ")");
            }
            if (reason.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidInputException("reason", "must not contain control characters");
            }
        }
        return new Change(actorId, reason);
    }
}
