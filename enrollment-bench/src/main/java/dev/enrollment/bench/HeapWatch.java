package dev.enrollment.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Watches the JVM's heap while one variant runs, two ways:
 * <ul>
 *   <li><b>sampled</b>: a daemon thread reads {@code MemoryMXBean.getHeapMemoryUsage().getUsed()} every
 *   {@value #SAMPLE_MILLIS} ms and keeps the largest. It includes garbage not yet collected, so it also depends on
 *   the size of the young generation: an upper bound.</li>
 *   <li><b>after GC</b>: the collectors' notifications give the heap pools' use after each collection; the largest
 *   is what the run retained at worst (only when a collection happened during the run).</li>
 * </ul>
 * A full GC ({@code System.gc()}) before the run gives the baseline.
 */
final class HeapWatch implements AutoCloseable {
    static final int SAMPLE_MILLIS = 10;

    /**
     * What the heap did.
     *
     * @param baselineBytes   heap used after a full GC just before the run
     * @param peakSampledBytes the largest sampled use during the run
     * @param peakAfterGcBytes the largest use right after a collection during the run, or -1 when none ran
     * @param collections     collections during the run
     */
    record Peak(long baselineBytes, long peakSampledBytes, long peakAfterGcBytes, long collections) {
        /** @return the sampled peak above the baseline, in MiB */
        double sampledAboveBaselineMiB() {
            return (peakSampledBytes - baselineBytes) / (1024.0 * 1024);
        }

        /** @return the after-GC peak above the baseline, in MiB, or NaN when no collection ran */
        double afterGcAboveBaselineMiB() {
            return peakAfterGcBytes < 0 ? Double.NaN : (peakAfterGcBytes - baselineBytes) / (1024.0 * 1024);
        }
    }

    private final long baseline;
    private final AtomicLong peakSampled = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong(-1);
    private final AtomicLong collections = new AtomicLong();
    private final Set<String> heapPools;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapWatch() {
        System.gc();
        baseline = used();
        peakSampled.set(baseline);
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
        sampler = new Thread(() -> {
            while (running) {
                peakSampled.accumulateAndGet(used(), Math::max);
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * Runs a full GC, then starts watching.
     *
     * @return the watch; {@link #stop()} it
     */
    static HeapWatch start() {
        return new HeapWatch();
    }

    /**
     * Stops watching.
     *
     * @return what the heap did since {@link #start()}
     */
    Peak stop() {
        peakSampled.accumulateAndGet(used(), Math::max);
        close();
        return new Peak(baseline, peakSampled.get(), peakAfterGc.get(), collections.get());
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        emitters.clear();
    }

    private void onGc(Notification n, Object handback) {
        if (!running || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long after = 0;
        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                MemoryUsage u = e.getValue();
                after += u.getUsed();
            }
        }
        collections.incrementAndGet();
        peakAfterGc.accumulateAndGet(after, Math::max);
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
