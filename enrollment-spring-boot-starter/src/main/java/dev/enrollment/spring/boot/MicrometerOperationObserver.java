package dev.enrollment.spring.boot;

import dev.enrollment.OperationObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports each library call as a Micrometer {@link Observation} named {@value #OPERATION}, with the low-cardinality
 * tags {@code operation} (the repository method) and {@code outcome} ({@code success}, or the simple name of the
 * exception the caller received): Boot's metrics turn it into a timer of that name, and its tracing into a span per
 * call (nested inside the span of an {@code Enrollments.transaction}). Retries after a deadlock count in the
 * counter {@value #RETRIES}, tagged {@code operation}, made once per operation name and kept.
 */
public final class MicrometerOperationObserver implements OperationObserver {
    /** The observation, and so the timer, of every call. */
    public static final String OPERATION = "enrollment.operation";
    /** The counter of retries. */
    public static final String RETRIES = "enrollment.retries";

    private final ObservationRegistry observations;
    private final MeterRegistry meters;
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    /**
     * Creates the observer.
     *
     * @param observations where observations go
     * @param meters       where the retry counter goes, or null for no counter
     */
    public MicrometerOperationObserver(ObservationRegistry observations, MeterRegistry meters) {
        this.observations = observations;
        this.meters = meters;
    }

    @Override
    public Operation start(String operation) {
        Observation observation = Observation.createNotStarted(OPERATION, observations)
                .contextualName("enrollment " + operation)
                .lowCardinalityKeyValue("operation", operation)
                .start();
        Observation.Scope scope = observation.openScope();
        return new Operation() {
            @Override
            public void retried() {
                if (meters != null) {
                    retries.computeIfAbsent(operation, name -> Counter.builder(RETRIES)
                            .description("Retries of enrollment calls after a deadlock or lock-wait timeout")
                            .tag("operation", name)
                            .register(meters)).increment();
                }
            }

            @Override
            public void end(Throwable failure) {
                observation.lowCardinalityKeyValue("outcome",
                        failure == null ? "success" : failure.getClass().getSimpleName());
                if (failure != null) {
                    observation.error(failure);
                }
                scope.close();
                observation.stop();
            }
        };
    }
}
