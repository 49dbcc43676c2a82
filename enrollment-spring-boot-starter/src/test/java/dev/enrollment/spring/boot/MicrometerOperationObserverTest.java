package dev.enrollment.spring.boot;

import dev.enrollment.OperationObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The observer's meters, on a registry of Micrometer's own. */
class MicrometerOperationObserverTest {
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final ObservationRegistry observations = ObservationRegistry.create();
    private final MicrometerOperationObserver observer = new MicrometerOperationObserver(observations, meters);

    MicrometerOperationObserverTest() {
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    }

    @Test
    void retriesCountPerOperationOnOneCounter() {
        OperationObserver.Operation first = observer.start("getOrCreate");
        first.retried();
        first.retried();
        first.end(null);
        Counter counter = meters.get("enrollment.retries").tag("operation", "getOrCreate").counter();
        OperationObserver.Operation second = observer.start("getOrCreate");
        second.retried();
        second.end(new IllegalStateException("x"));
        assertThat(meters.get("enrollment.retries").tag("operation", "getOrCreate").counter()).isSameAs(counter);
        assertThat(counter.count()).isEqualTo(3);
        assertThat(meters.get("enrollment.operation").tags("operation", "getOrCreate", "outcome", "success")
                .timer().count()).isEqualTo(1);
        assertThat(meters.get("enrollment.operation").tags("operation", "getOrCreate", "outcome",
                "IllegalStateException").timer().count()).isEqualTo(1);
    }

    @Test
    void withoutAMeterRegistryRetriesAreNotCounted() {
        MicrometerOperationObserver noMeters = new MicrometerOperationObserver(observations, null);
        OperationObserver.Operation op = noMeters.start("enroll");
        op.retried();
        op.end(null);
        assertThat(meters.find("enrollment.retries").counter()).isNull();
    }
}
