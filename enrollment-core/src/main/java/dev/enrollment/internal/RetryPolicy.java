package dev.enrollment.internal;

import java.util.Random;

/**
 * How many times an idempotent operation is tried when it meets a deadlock or lock-wait timeout, and how long it
 * pauses between tries: exponential backoff with equal jitter, capped. Before attempt n+1 it pauses between half
 * and all of {@code min(maxDelay, baseDelay * 2^(n-1))}, the half chosen at random: never the tight loop full
 * jitter can give, and still spread so that callers that collided do not collide again in step.
 *
 * @param maxAttempts     total attempts, at least 1
 * @param baseDelayMillis the first pause's upper bound
 * @param maxDelayMillis  the cap on any pause
 */
public record RetryPolicy(int maxAttempts, long baseDelayMillis, long maxDelayMillis) {
    /** Three attempts; pauses of 10-20 ms, then 20-40 ms, ... capped at 1 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, 20, 1000);

    /**
     * Validates the policy.
     *
     * @param maxAttempts     total attempts
     * @param baseDelayMillis the first pause's upper bound
     * @param maxDelayMillis  the cap
     */
    public RetryPolicy {
        if (maxAttempts < 1 || baseDelayMillis < 0 || maxDelayMillis < baseDelayMillis) {
            throw new IllegalArgumentException("retry policy: maxAttempts >= 1, 0 <= baseDelay <= maxDelay");
        }
    }

    /**
     * Returns the pause before the next attempt.
     *
     * @param attempt the attempt that just failed, from 1
     * @param random  the source of jitter
     * @return milliseconds to pause: between half and all of min(cap, base * 2^(attempt-1))
     */
    public long pauseMillis(int attempt, Random random) {
        long ceiling = Math.min(maxDelayMillis, baseDelayMillis << Math.min(attempt - 1, 20));
        if (ceiling <= 1) {
            return ceiling;
        }
        return ceiling / 2 + random.nextInt((int) Math.min(Integer.MAX_VALUE, ceiling / 2 + 1));
    }
}
