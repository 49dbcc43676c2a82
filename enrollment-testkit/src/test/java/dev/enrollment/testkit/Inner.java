package dev.enrollment.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs inner test classes (which surefire does not run on their own) with JUnit's EngineTestKit. */
final class Inner {
    private Inner() {
    }

    static EngineExecutionResults run(Class<?>... classes) {
        return run(Map.of("junit.jupiter.execution.parallel.enabled", "false"), classes);
    }

    static EngineExecutionResults run(Map<String, String> configuration, Class<?>... classes) {
        EngineTestKit.Builder builder = EngineTestKit.engine("junit-jupiter").configurationParameters(configuration);
        for (Class<?> c : classes) {
            builder.selectors(selectClass(c));
        }
        return builder.execute();
    }

    /** The one failure of the run's tests, after checking that exactly one test ran and it failed. */
    static Throwable onlyFailure(EngineExecutionResults results) {
        List<Event> failed = results.testEvents().failed().list();
        assertThat(results.testEvents().started().count()).as("tests started").isEqualTo(1);
        assertThat(failed).as("failed tests").hasSize(1);
        return failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    /** Checks that the run started that many tests and every one passed, naming the failures if not. */
    static void assertPassed(EngineExecutionResults results, int tests) {
        assertThat(results.testEvents().succeeded().count()).as(failures(results)).isEqualTo(tests);
        assertThat(results.testEvents().started().count()).as("tests started").isEqualTo(tests);
    }

    /** Describes every failure of the run, for assertion messages. */
    static String failures(EngineExecutionResults results) {
        return results.allEvents().stream()
                .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable))
                .flatMap(java.util.Optional::stream)
                .map(Throwable::toString)
                .collect(Collectors.joining("\n"));
    }
}
