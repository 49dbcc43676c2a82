package dev.enrollment.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes {@code history_id} values: time-ordered UUIDs (RFC 9562 version 7) as 32 lower-case hex digits with no
 * dashes, the form Django stores a {@code UUIDField} in on MySQL/MariaDB (CHAR(32)); PostgreSQL casts the same text
 * to {@code uuid}. The first 48 bits are the Unix time in milliseconds, so rows written later sort later and InnoDB
 * appends to the clustered primary key instead of inserting at random pages, as version-4 (random) UUIDs would; the
 * next 12 bits count up within a millisecond (RFC 9562's method 1), so ids this JVM makes are strictly increasing and
 * the history of one enrollment, whose changes are serialized by its row lock, sorts in the order it was written; the
 * last 62 bits are random, so ids made at once by other processes or cluster nodes do not collide.
 */
public final class HistoryIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** The last (milliseconds << 12 | counter) handed out. */
    private static final AtomicLong LAST = new AtomicLong();

    private HistoryIds() {
    }

    /**
     * Returns a new version-7 UUID for the current time.
     *
     * @return 32 lower-case hex digits
     */
    public static String next() {
        long now = System.currentTimeMillis() << 12;
        // A counter that overflows its 12 bits borrows from the next millisecond, as RFC 9562 allows.
        long stamp = LAST.updateAndGet(last -> Math.max(now, last + 1));
        return of(stamp >>> 12, stamp, ThreadLocalRandom.current().nextLong());
    }

    /**
     * Returns the version-7 UUID for a time and random bits.
     *
     * @param unixMillis milliseconds since 1970, UTC (the low 48 bits are used)
     * @param randA      random bits, of which 12 are used
     * @param randB      random bits, of which 62 are used
     * @return 32 lower-case hex digits
     */
    static String of(long unixMillis, long randA, long randB) {
        long high = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (randA & 0x0FFFL);
        long low = 0x8000_0000_0000_0000L | (randB & 0x3FFF_FFFF_FFFF_FFFFL);
        char[] out = new char[32];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (high & 0xF)];
            high >>>= 4;
            out[16 + i] = HEX[(int) (low & 0xF)];
            low >>>= 4;
        }
        return new String(out);
    }

    /**
     * The base of a batch of version-7 UUIDs that the database derives, one per enrollment row, without the client
     * binding one per row: the first 16 hex digits (time, version, and this JVM's strictly increasing counter, as
     * {@link #next()} makes them), and 64 low bits (the variant, then 62 random bits) that the statement XORs with
     * each row's enrollment id. XOR with a constant is a bijection, so the ids of one batch are distinct (one row per
     * enrollment), keep the variant bits while the enrollment id is below 2^62, and are as random across batches and
     * processes as {@link #next()}'s.
     *
     * @param prefix the high 64 bits, as 16 lower-case hex digits
     * @param low    the low 64 bits, to XOR with each enrollment id and print as 16 hex digits
     */
    record Base(String prefix, long low) {
    }

    /**
     * Returns a new batch base for the current time (see {@link Base}).
     *
     * @return the base
     */
    static Base nextBase() {
        long now = System.currentTimeMillis() << 12;
        long stamp = LAST.updateAndGet(last -> Math.max(now, last + 1));
        String full = of(stamp >>> 12, stamp, 0);
        long low = 0x8000_0000_0000_0000L | (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL);
        return new Base(full.substring(0, 16), low);
    }

    /**
     * Returns the UUID a batch statement derives for one enrollment, as Java computes it (for tests and H2).
     *
     * @param base         the batch's base
     * @param enrollmentId the row's id
     * @return 32 lower-case hex digits
     */
    static String derive(Base base, long enrollmentId) {
        String low = Long.toHexString(base.low() ^ enrollmentId);
        return base.prefix() + "0".repeat(16 - low.length()) + low;
    }
}
