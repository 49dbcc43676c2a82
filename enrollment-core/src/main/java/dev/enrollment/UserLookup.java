package dev.enrollment;

import java.util.Set;

/**
 * Tells which user ids exist, for the orphan audit and sweep. The default looks them up in the same database's
 * {@code auth_user}; a deployment whose users live in another database or service supplies its own with
 * {@link Enrollments.Builder#userLookup(UserLookup)}. Called with at most one batch of ids at a time.
 */
@FunctionalInterface
public interface UserLookup {
    /**
     * Returns the ids among {@code userIds} that belong to existing users.
     *
     * @param userIds the ids to check, never empty
     * @return the subset that exists; an id not returned is treated as a deleted user
     */
    Set<Long> existing(Set<Long> userIds);
}
