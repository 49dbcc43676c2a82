package dev.enrollment.testkit;

import dev.enrollment.Enrollments;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.util.Arrays;
import java.util.Locale;

/**
 * Measures what the extension adds to each test: runs {@value #TESTS} empty tests with the extension and without
 * it, several rounds after a warm-up, and prints the median difference per test. Not a test (timings are not
 * asserted); run it with
 * {@code mvn -pl enrollment-testkit exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.enrollment.testkit.OverheadMeasurement}.
 */
public final class OverheadMeasurement {
    static final int TESTS = 50;
    static final int ROUNDS = 5;

    static class Baseline {
        @RepeatedTest(TESTS)
        void empty() {
        }
    }

    static class OnH2 {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension.h2();

        @RepeatedTest(TESTS)
        void empty(Enrollments enrollments) {
        }
    }

    static class OnMariaDb {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.mariadb();

        @RepeatedTest(TESTS)
        void empty(Enrollments enrollments) {
        }
    }

    static class OnPostgres {
        @RegisterExtension
        static EnrollmentsExtension db = Servers.postgres();

        @RepeatedTest(TESTS)
        void empty(Enrollments enrollments) {
        }
    }

    private OverheadMeasurement() {
    }

    /**
     * Prints the per-test overhead on H2, MariaDB and PostgreSQL.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.out.printf(Locale.ROOT, "%d empty tests per run, median of %d runs after a warm-up; %d cores%n",
                TESTS, ROUNDS, Runtime.getRuntime().availableProcessors());
        double baseline = medianMillis(Baseline.class);
        for (Class<?> c : new Class<?>[] {OnH2.class, OnMariaDb.class, OnPostgres.class}) {
            double total = medianMillis(c);
            System.out.printf(Locale.ROOT, "%-10s %6.1f ms per test (create, migrate, leak check, drop)%n",
                    c.getSimpleName().substring(2), (total - baseline) / TESTS);
        }
    }

    private static double medianMillis(Class<?> testClass) {
        run(testClass);  // warm-up: class loading, JIT, Flyway's first scan
        double[] millis = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            run(testClass);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis[ROUNDS / 2];
    }

    private static void run(Class<?> testClass) {
        EngineExecutionResults results = Inner.run(testClass);
        long passed = results.testEvents().succeeded().count();
        if (passed != TESTS) {
            throw new IllegalStateException(testClass.getSimpleName() + ": " + passed + " of " + TESTS
                    + " tests passed: " + Inner.failures(results));
        }
    }
}
