package dev.enrollment;

/**
 * Hears of every call to the library's repositories and of {@link Enrollments#transaction}, for metrics and traces
 * (the Spring Boot starter implements it with Micrometer's Observation API). Set with
 * {@link Enrollments.Builder#observer(OperationObserver)}; without one, calls are not observed at all.
 *
 * <p>Called on the caller's thread: {@link #start(String)} as the call begins, then {@link Operation#retried()} for
 * each retry after a deadlock or lock-wait timeout, then {@link Operation#end(Throwable)} exactly once. Calls made
 * inside a {@link Enrollments#transaction transaction} are observed inside the transaction's own operation. An
 * observer that throws makes the call fail, so implementations should not.
 */
@FunctionalInterface
public interface OperationObserver {
    /**
     * Called as an operation starts.
     *
     * @param operation the name of the repository method called ({@code enroll}, {@code getOrCreate},
     *                  {@code save}, {@code audit}, ...), or {@code transaction}
     * @return what hears how it goes on; never null
     */
    Operation start(String operation);

    /** One observed call. */
    interface Operation {
        /**
         * The call met a deadlock or lock-wait timeout and runs again. Default: ignored.
         */
        default void retried() {
        }

        /**
         * The call ended: returned (the stream it returned, for a stream, was opened) or threw.
         *
         * @param failure what the caller received, or null when the call returned
         */
        void end(Throwable failure);
    }
}
