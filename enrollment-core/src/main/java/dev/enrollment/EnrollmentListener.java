package dev.enrollment;

/**
 * Receives an {@link EnrollmentEvent} for every change to an enrollment. Register with
 * {@link Enrollments.Builder#listener(EnrollmentListener)}.
 *
 * <p>Listeners run synchronously after the change commits, before the call that made it returns, in registration
 * order, on the caller's thread. They never run for a change that rolled back, nor for a call that changed nothing.
 * A listener that throws is logged; the change stays committed and the other listeners still run.
 */
@FunctionalInterface
public interface EnrollmentListener {
    /**
     * Called once per committed change.
     *
     * @param event what changed, with the row before and after
     */
    void onEvent(EnrollmentEvent event);
}
