package dev.enrollment.bench;

import dev.enrollment.DatabaseException;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness's tables, charts, statement shapes and safety checks, without a database. */
class HarnessTest {
    @Test
    void tablesAreMarkdownWithNumbersRightAligned() {
        String md = new Table("workload", "variant ", "p99 ms").row("plain", "A (FK)", "37.8").row("touch", "B", "1")
                .render();
        assertThat(md.split("\n")).containsExactly(
                "| workload | variant | p99 ms |",
                "| -------- | ------- | -----: |",
                "| plain    | A (FK)  |   37.8 |",
                "| touch    | B       |      1 |");
        assertThatThrownBy(() -> new Table("a", "b").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chartsAreWellFormedSvg() throws Exception {
        LatencyRecorder a = new LatencyRecorder(3);
        for (int i = 1; i <= 500; i++) {
            a.record(i * 100_000L, i % 3);
        }
        String latency = Charts.percentiles("t <&>", "sub", List.of(
                Charts.percentileSeries("A", Charts.RED, a.histogram()),
                Charts.percentileSeries("empty", Charts.BLUE, new LatencyRecorder(1).histogram())));
        String throughput = Charts.throughput("t", "sub", List.of(Charts.perSecondSeries("A", Charts.RED,
                a.perSecond())));
        for (String svg : List.of(latency, throughput)) {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new InputSource(new StringReader(svg)));
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(1);
        }
        assertThat(latency).contains("t &lt;&amp;&gt;").contains(">99%<").contains(">90%<");
    }

    @Test
    void percentileAxisLabels() {
        assertThat(Charts.percentileLabel(1)).isEqualTo("0%");
        assertThat(Charts.percentileLabel(10)).isEqualTo("90%");
        assertThat(Charts.percentileLabel(1000)).isEqualTo("99.9%");
        assertThat(Charts.niceStep(730)).isEqualTo(1000);
        assertThat(Charts.niceStep(130)).isEqualTo(200);
        assertThat(Charts.niceStep(0.3)).isEqualTo(0.5);
    }

    @Test
    void statementShapesIgnoreLiterals() {
        assertThat(LibrarySql.shapes(List.of(
                "insert ignore into t (a, b) values ('it''s', cast('2026-01-01 00:00:00.000001' as datetime(6)), 0, 17)",
                "COMMIT")))
                .containsExactly("insert ignore into t (a, b) values (?, cast(? as datetime(?)), ?, ?)", "COMMIT");
    }

    @Test
    void onlyLoopbackServersAreAccepted() {
        assertThat(Server.requireLoopback("jdbc:mysql://127.0.0.1:3306/")).isEqualTo("jdbc:mysql://127.0.0.1:3306/");
        assertThat(Server.requireLoopback("jdbc:mysql://localhost:3307")).isEqualTo("jdbc:mysql://localhost:3307/");
        assertThatThrownBy(() -> Server.requireLoopback("jdbc:mysql://10.0.0.5:3306/"))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> Server.requireLoopback("jdbc:mysql://127.0.0.1:3306/app"))
                .hasMessageContaining("names a server");
        assertThat(Server.requireLoopback("jdbc:postgresql://127.0.0.1:5432/"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/");
        assertThatThrownBy(() -> Server.requireLoopback("jdbc:postgresql://10.0.0.5/"))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> Server.requireLoopback("jdbc:oracle:thin:@127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClusterAndPostgresScenariosRunOnlyWhenNamedAndOnlyOnLoopback() {
        assertThat(Main.scenarios()).containsKeys("galera", "postgres");
        assertThat(Main.ON_REQUEST).containsExactlyInAnyOrder("galera", "postgres");
        PostgresScenario.requireLoopback("jdbc:postgresql://127.0.0.1:5432/");
        assertThatThrownBy(() -> PostgresScenario.requireLoopback("jdbc:postgresql://10.0.0.5:5432/"))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> PostgresScenario.requireLoopback("jdbc:mysql://127.0.0.1:3306/"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void orphanDataHasUniquePairsAndOrphansInEveryCourse() {
        int users = 10_000;     // the quick size
        long rows = 100_000;
        Set<String> pairs = new HashSet<>();
        Set<Long> courses = new HashSet<>();
        Set<Long> orphanCourses = new HashSet<>();
        for (long i = 0; i < rows; i++) {
            long course = OrphanAuditScenario.course(i, users);
            assertThat(pairs.add((i % users) + "/" + course)).isTrue();
            courses.add(course);
            if ((i % users) % 100 == 0) {
                orphanCourses.add(course);
            }
        }
        assertThat(courses).hasSize(500);
        assertThat(orphanCourses).isEqualTo(courses);
    }

    @Test
    void usageErrorsExitWithTwo() {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"--scenario", "nope"}, new java.io.PrintStream(out),
                new java.io.PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("unknown scenario: nope").contains("contention");
        assertThat(Main.run(new String[] {"--server", "jdbc:mysql://192.168.1.1/"}, new java.io.PrintStream(out),
                new java.io.PrintStream(err))).isEqualTo(2);
        assertThat(Main.run(new String[] {"--help"}, new java.io.PrintStream(out),
                new java.io.PrintStream(err))).isZero();
        assertThat(out.toString()).contains("--quick").contains("orphans");
    }

    @Test
    void theLibrarysDeadlockIsCountedAsOne() {
        SQLException deadlock = new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
        assertThat(Workers.lockErrorCode(new DatabaseException("transaction", 1, "transaction failed", deadlock)))
                .isEqualTo(1213);
        assertThat(Workers.lockErrorCode(new Workload.UncheckedSqlException(deadlock))).isEqualTo(1213);
        assertThat(Workers.lockErrorCode(new DatabaseException("transaction", 1, "down", new SQLException("x"))))
                .isZero();
    }
}
