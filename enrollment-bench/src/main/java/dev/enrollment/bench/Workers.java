package dev.enrollment.bench;

import dev.enrollment.DatabaseException;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an operation on N threads for a warm-up, then a measured window, and stops by itself: each thread loops
 * until the window ends, recording the operations that complete inside it. The calling thread runs hooks at the
 * window's start and end (to read server counters there).
 */
public final class Workers {
    /** Threads that have not finished this long after the window ended are abandoned (they are daemons). */
    private static final Duration STRAGGLER_GRACE = Duration.ofSeconds(120);

    /** One operation; throws on failure. */
    @FunctionalInterface
    public interface Op {
        /**
         * Runs the operation once.
         *
         * @param thread the worker's index, from 0
         * @param random the worker's random source
         */
        void call(int thread, ThreadLocalRandom random) throws Exception;
    }

    /**
     * What the threads did.
     *
     * @param latency       merged recordings of the window
     * @param seconds       the window's length
     * @param calls         operations started, warm-up included, successful or not
     * @param failedCalls   operations that failed, warm-up included
     * @param deadlocks     operations that failed with a deadlock (MySQL error 1213) in the window, after any
     *                      retry of the library
     * @param lockTimeouts  operations that failed with a lock-wait timeout (1205) in the window
     * @param otherErrors   operations that failed otherwise in the window
     * @param firstError    the first of those, or null
     * @param stragglers    threads that did not stop in time
     */
    public record Outcome(LatencyRecorder latency, double seconds, long calls, long failedCalls, long deadlocks,
                          long lockTimeouts,
                          long otherErrors, String firstError, int stragglers) {
        /** @return operations per second completed in the window */
        public double throughput() {
            return latency.count() / seconds;
        }

        /**
         * Adds up the outcomes of repeated runs: latencies merged, windows and counts summed (per-second
         * completions are summed too: divide by the number of runs for a mean).
         *
         * @param outcomes runs with windows of the same length
         * @return the sum
         */
        public static Outcome sum(List<Outcome> outcomes) {
            LatencyRecorder latency = new LatencyRecorder(outcomes.get(0).latency.perSecond().length);
            double seconds = 0;
            long calls = 0;
            long failed = 0;
            long deadlocks = 0;
            long timeouts = 0;
            long other = 0;
            String first = null;
            int stragglers = 0;
            for (Outcome o : outcomes) {
                latency.add(o.latency);
                seconds += o.seconds;
                calls += o.calls;
                failed += o.failedCalls;
                deadlocks += o.deadlocks;
                timeouts += o.lockTimeouts;
                other += o.otherErrors;
                first = first != null ? first : o.firstError;
                stragglers += o.stragglers;
            }
            return new Outcome(latency, seconds, calls, failed, deadlocks, timeouts, other, first, stragglers);
        }
    }

    private Workers() {
    }

    /**
     * Runs the operation.
     *
     * @param name          the threads' name prefix
     * @param threads       how many
     * @param warmup        unrecorded time first
     * @param measure       the recorded window
     * @param op            the operation
     * @param atWindowStart run by the caller when the window starts
     * @param atWindowEnd   run by the caller when the window ends
     * @return the outcome
     */
    public static Outcome run(String name, int threads, Duration warmup, Duration measure, Op op,
                              Runnable atWindowStart, Runnable atWindowEnd) {
        int seconds = (int) Math.ceil(measure.toMillis() / 1000.0);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long windowStart = start + warmup.toNanos();
        long windowEnd = windowStart + measure.toNanos();
        List<Thread> workers = new ArrayList<>();
        List<Worker> state = new ArrayList<>();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker(i, seconds, start, windowStart, windowEnd, op, firstError);
            state.add(w);
            Thread t = new Thread(w, name + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        sleepUntil(windowStart);
        atWindowStart.run();
        sleepUntil(windowEnd);
        atWindowEnd.run();
        long giveUp = System.nanoTime() + STRAGGLER_GRACE.toNanos();
        int stragglers = 0;
        LatencyRecorder merged = new LatencyRecorder(seconds);
        long calls = 0;
        long failedCalls = 0;
        long deadlocks = 0;
        long timeouts = 0;
        long other = 0;
        for (int i = 0; i < workers.size(); i++) {
            Thread t = workers.get(i);
            long left = giveUp - System.nanoTime();
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                stragglers++;   // its figures are not safe to read, and are left out
                continue;
            }
            Worker w = state.get(i);   // join() made its fields visible
            merged.add(w.recorder);
            calls += w.calls;
            failedCalls += w.failedCalls;
            deadlocks += w.deadlocks;
            timeouts += w.lockTimeouts;
            other += w.otherErrors;
        }
        return new Outcome(merged, measure.toNanos() / 1e9, calls, failedCalls, deadlocks, timeouts, other,
                firstError.get(),
                stragglers);
    }

    /**
     * Classifies a failure by the MySQL error code in its cause chain: a library {@code DatabaseException}'s
     * {@code errorCode()}, or a driver SQLException's (the caller's own statements).
     *
     * @param t the failure
     * @return 1213 (deadlock), 1205 (lock-wait timeout), or 0
     */
    public static int lockErrorCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof DatabaseException d && (d.errorCode() == 1213 || d.errorCode() == 1205)) {
                return d.errorCode();
            }
            if (c instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e.getErrorCode() == 1213 || e.getErrorCode() == 1205) {
                        return e.getErrorCode();
                    }
                }
            }
        }
        return 0;
    }

    static void sleepUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final class Worker implements Runnable {
        private final int index;
        private final LatencyRecorder recorder;
        private final long start;
        private final long windowStart;
        private final long windowEnd;
        private final Op op;
        private final AtomicReference<String> firstError;
        private long calls;
        private long failedCalls;
        private long deadlocks;
        private long lockTimeouts;
        private long otherErrors;

        Worker(int index, int seconds, long start, long windowStart, long windowEnd, Op op,
               AtomicReference<String> firstError) {
            this.index = index;
            this.recorder = new LatencyRecorder(seconds);
            this.start = start;
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
            this.op = op;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            sleepUntil(start);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (true) {
                long began = System.nanoTime();
                if (began >= windowEnd) {
                    break;
                }
                calls++;
                try {
                    op.call(index, random);
                } catch (Exception e) {
                    failedCalls++;
                    long failed = System.nanoTime();
                    if (failed < windowStart || failed >= windowEnd) {
                        continue;   // failures are counted in the window only, as successes are
                    }
                    int code = lockErrorCode(e);
                    if (code == 1213) {
                        deadlocks++;
                    } else if (code == 1205) {
                        lockTimeouts++;
                    } else {
                        otherErrors++;
                        firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    continue;
                }
                long done = System.nanoTime();
                if (done >= windowStart && done < windowEnd) {
                    recorder.record(done - began, (int) ((done - windowStart) / 1_000_000_000L));
                }
            }
        }
    }
}
