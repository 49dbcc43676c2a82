package dev.enrollment;

import java.util.ArrayList;
import java.util.List;

/** Remembers every event it hears, in order. */
final class RecordingListener implements EnrollmentListener {
    private final List<EnrollmentEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(EnrollmentEvent event) {
        events.add(event);
    }

    synchronized List<EnrollmentEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<EnrollmentEvent> take() {
        List<EnrollmentEvent> copy = List.copyOf(events);
        events.clear();
        return copy;
    }
}
