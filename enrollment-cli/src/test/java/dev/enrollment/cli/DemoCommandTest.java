package dev.enrollment.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    private static final class Run {
        final int code;
        final String out;
        final String err;

        Run(String... args) {
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            CommandLine cli = new CommandLine(new Main());
            cli.setOut(new PrintWriter(o, true));
            cli.setErr(new PrintWriter(e, true));
            System.setProperty("org.jooq.no-logo", "true");
            this.code = cli.execute(args);
            this.out = o.toString();
            this.err = e.toString();
        }
    }

    @Test
    void demoRunsOnEmbeddedH2AndPrintsTheEnrollments() {
        Run run = new Run("demo");

        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out)
                .contains("carol was not saved: getOrCreate inserted her")
                .contains("returned the same row").contains("(unchanged)")
                .contains("refused, not attached to the existing alice")
                .contains("A malformed course key was refused: course parts must contain only")
                .containsPattern("\\| alice +\\| course-v1:edX\\+DemoX\\+2026 +\\| audit +\\| no ")
                .containsPattern("\\| carol +\\| course-v1:edX\\+DemoX\\+2026 ")
                .containsPattern("\\| bob +\\| MITx/6.002x/2012_Fall ");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(new Run("no-such-command").code).isEqualTo(2);
        assertThat(new Run("demo", "--no-such-option").code).isEqualTo(2);
        assertThat(new Run().code).isEqualTo(2);
    }

    @Test
    void helpExitsWithZeroAndDocumentsExitCodes() {
        Run run = new Run("--help");
        assertThat(run.code).isZero();
        assertThat(run.out).contains("demo").contains("Exit codes").contains("2").contains("usage error");
        assertThat(new Run("demo", "--help").code).isZero();
    }
}
