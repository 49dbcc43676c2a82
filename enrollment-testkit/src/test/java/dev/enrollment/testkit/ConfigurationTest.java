package dev.enrollment.testkit;

import dev.enrollment.DatabaseException;
import dev.enrollment.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/** Bad configuration is refused where the extension is created; an unreachable server fails (or skips) clearly. */
class ConfigurationTest {
    static final String SECRET = "pw-" + Long.toHexString(System.nanoTime()) + "-never-printed";

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "mysql://127.0.0.1:3306/", "jdbc:postgresql:app", "jdbc:oracle:thin:@host:1521:x",
            "jdbc:sqlserver://db:1433;password=hunter2"})
    void aUrlThatNamesNoSupportedServerIsRefusedNamingTheParameter(String url) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> EnrollmentsExtension.jdbcUrl(url, "root", SECRET));

        assertThat(e.field()).isEqualTo("url");
        assertThat(e.getMessage()).startsWith("url ").doesNotContain(SECRET).doesNotContain("hunter2");
    }

    @Test
    void anH2UrlPointsToH2() {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> EnrollmentsExtension.jdbcUrl("jdbc:h2:mem:x", "sa", ""));

        assertThat(e.getMessage()).contains("EnrollmentsExtension.h2()");
    }

    @Test
    void thePoolSizeMustBePositive() {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> EnrollmentsExtension.h2().poolSize(0));

        assertThat(e.field()).isEqualTo("poolSize");
    }

    static class Unreachable {
        @RegisterExtension
        static EnrollmentsExtension db =
                EnrollmentsExtension.jdbcUrl("jdbc:mysql://127.0.0.1:1/?connectTimeout=2000", "root", SECRET);

        @Test
        void neverRuns() {
            fail("the test must not run without its database");
        }
    }

    static class UnreachableSkipped {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension
                .jdbcUrl("jdbc:mysql://127.0.0.1:1/?connectTimeout=2000", "root", SECRET).skipWhenUnreachable(true);

        @Test
        void neverRuns() {
            fail("the test must not run without its database");
        }
    }

    static class WrongPasswordIsNotSkipped {
        @RegisterExtension
        static EnrollmentsExtension db = EnrollmentsExtension
                .jdbcUrl(Servers.MARIADB_URL, Servers.MARIADB_USER, SECRET).skipWhenUnreachable(true);

        @Test
        void neverRuns() {
            fail("the test must not run without its database");
        }
    }

    @Test
    void anUnreachableServerFailsTheTestNamingHostAndPortButNotThePassword() {
        Throwable failure = Inner.onlyFailure(Inner.run(Unreachable.class));

        assertThat(failure).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("cannot connect to the MySQL or MariaDB server at 127.0.0.1:1");
        assertThat(messages(failure)).noneMatch(m -> m.contains(SECRET));
    }

    @Test
    void anUnreachableServerSkipsTheTestWhenAskedTo() {
        EngineExecutionResults results = Inner.run(UnreachableSkipped.class);

        assertThat(results.testEvents().aborted().count()).as(Inner.failures(results)).isEqualTo(1);
        assertThat(results.testEvents().failed().count()).isZero();
    }

    @Test
    void aWrongPasswordFailsEvenWhenUnreachableServersAreSkipped() {
        Servers.requireMariaDb();

        Throwable failure = Inner.onlyFailure(Inner.run(WrongPasswordIsNotSkipped.class));

        assertThat(failure).isInstanceOf(DatabaseException.class).hasMessageContaining("cannot connect");
        assertThat(messages(failure)).noneMatch(m -> m.contains(SECRET));
    }

    private static List<String> messages(Throwable t) {
        List<String> all = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.add(String.valueOf(c.getMessage()));
            all.add(c.toString());
            for (Throwable s : c.getSuppressed()) {
                all.addAll(messages(s));
            }
        }
        return all;
    }
}
