package dev.enrollment.bench;

import java.util.List;

/**
 * Scenario 2: how much the user-row writers slow enrollment down when there is no FK. Variant B (schema as
 * shipped, {@code plain} workload) with the writers against the same without them. Target: throughput ratio at
 * least 0.95.
 */
public final class IsolationScenario implements Scenario {
    static final Target THROUGHPUT = Target.atLeast(0.95);

    @Override
    public String name() {
        return "isolation";
    }

    @Override
    public String summary() {
        return "schema as shipped: enrollment throughput with the user-row writers against without them";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        EnrollLoad.Size size = EnrollLoad.Size.of(quick);
        report.heading("Isolation: the schema as shipped, with and without the user-row writers");
        report.paragraph("The contention scenario's `plain` workload on variant B (no FK), once with the "
                + size.writers() + " writers and once without, each on a fresh database, in the order "
                + size.order().replace("A", "without").replace("B", "with") + ". Without the FK, enrollment "
                + "should not notice the writers.");
        List<EnrollLoad.Result> results = EnrollLoad.runAll(server, size, List.of(
                new EnrollLoad.Spec("B", false, Workload.PLAIN, false),
                new EnrollLoad.Spec("B", false, Workload.PLAIN, true)), report);
        EnrollLoad.Result without = results.get(0);
        EnrollLoad.Result with = results.get(1);
        report.table(ContentionScenario.figures(List.of(without, with)));
        report.paragraph(ContentionScenario.starvation(List.of(without, with), size));
        double ratio = Format.ratioValue(with.outcome().throughput(), without.outcome().throughput());
        report.table(new Table("workload", "throughput with/without writers", "target ", "verdict ",
                "p99 with/without")
                .row("plain, B", Format.ratio(with.outcome().throughput(), without.outcome().throughput()),
                        THROUGHPUT, THROUGHPUT.verdict(ratio),
                        Format.ratio(with.outcome().latency().percentileMillis(99),
                                without.outcome().latency().percentileMillis(99))));
        String subtitle = "variant B (no FK), plain workload; " + size.measure().toSeconds() + " s window"
                + (quick ? " (quick)" : "") + "\n" + report.chartStamp();
        report.chart("isolation-throughput.svg", Charts.throughput("Isolation: enrollments per second", subtitle,
                List.of(Charts.perSecondSeries("B without writers", Charts.GREEN, without.perSecond()),
                        Charts.perSecondSeries("B with writers", Charts.BLUE, with.perSecond()))));
    }
}
