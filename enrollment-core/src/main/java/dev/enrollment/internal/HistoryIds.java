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
}
