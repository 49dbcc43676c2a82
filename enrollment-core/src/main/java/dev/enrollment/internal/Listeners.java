package dev.enrollment.internal;

import dev.enrollment.EnrollmentEvent;
import dev.enrollment.EnrollmentListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The listeners of one {@code Enrollments}, told of committed changes: synchronously, in registration order, after
 * the commit and never on rollback; a listener that throws is logged and neither undoes the change nor stops the
 * others.
 */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private final List<EnrollmentListener> listeners;

    Listeners(List<EnrollmentListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Whether anybody listens, so that work may skip building events nobody hears. */
    boolean any() {
        return !listeners.isEmpty();
    }

    /**
     * Tells every listener of every event, in order. Call only once the events' changes are committed.
     *
     * @param events the committed changes
     */
    void fire(List<EnrollmentEvent> events) {
        for (EnrollmentEvent event : events) {
            for (EnrollmentListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    LOG.warn("enrollment listener {} threw on {} {}; the change stays committed", listener,
                            event.type(), event.after().or(event::before).map(e -> e.id()).orElse(0L), t);
                }
            }
        }
    }
}
