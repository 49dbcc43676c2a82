package dev.enrollment.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 1: enrollment under contention on hot user rows, with the baseline's foreign key (A) and without it
 * (B, the library's schema as shipped). Targets for B against A: p99 at most 0.4x, throughput at least 1.2x, and no
 * deadlocks in {@code touch} where A has some.
 */
public final class ContentionScenario implements Scenario {
    static final Target P99 = Target.atMost(0.4);
    static final Target THROUGHPUT = Target.atLeast(1.2);

    @Override
    public String name() {
        return "contention";
    }

    @Override
    public String summary() {
        return "enrollment on 200 hot users while writers hold their row locks: FK baseline (A) vs shipped schema (B)";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        EnrollLoad.Size size = EnrollLoad.Size.of(quick);
        report.heading("Contention: FK baseline (A) against the schema as shipped (B)");
        report.paragraph(String.format(java.util.Locale.ROOT, "%,d users; %d enrolling threads call `getOrCreate` "
                        + "for random pairs of %d hot users and %,d courses (most calls insert); %d writer threads "
                        + "each own a disjoint quarter of the hot users and run `BEGIN; UPDATE auth_user SET "
                        + "last_login = ? WHERE id = ?; sleep %d ms; COMMIT`. Warm-up %d s, measured %d s, per "
                        + "run, each on a fresh database; runs in the order %s. A = the library's schema plus `FOREIGN KEY (user_id) "
                        + "REFERENCES auth_user(id)` added by the benchmark; B = the schema as shipped "
                        + "(`Enrollments.migrate()`). Latency is per call (per transaction in `touch`), successful "
                        + "calls only. Client counts are failed calls in the window (in `plain`, after the "
                        + "library's own bounded retry); server counters are deltas over the window and "
                        + "server-wide, so another client's activity adds to them.",
                size.users(), size.enrollers(), size.hotUsers(), size.courses(), size.writers(),
                size.hold().toMillis(), size.warmup().toSeconds(), size.measure().toSeconds(), size.order()));
        report.paragraph("- " + Workload.PLAIN.describe() + "\n- " + Workload.TOUCH.describe());

        List<EnrollLoad.Result> results = new ArrayList<>();
        for (Workload w : List.of(Workload.PLAIN, Workload.TOUCH)) {
            results.addAll(EnrollLoad.runAll(server, size, List.of(new EnrollLoad.Spec("A", true, w, true),
                    new EnrollLoad.Spec("B", false, w, true)), report));
        }

        report.table(figures(results));
        report.paragraph(starvation(results, size));

        Table ratios = new Table("workload", "throughput B/A", "target ", "verdict ", "p99 B/A", "target ",
                "verdict ", "deadlocks (client) A -> B", "target ", "verdict ");
        for (int i = 0; i < results.size(); i += 2) {
            EnrollLoad.Result a = results.get(i);
            EnrollLoad.Result b = results.get(i + 1);
            double tput = Format.ratioValue(b.outcome().throughput(), a.outcome().throughput());
            double p99 = Format.ratioValue(b.outcome().latency().percentileMillis(99),
                    a.outcome().latency().percentileMillis(99));
            boolean touch = a.spec().workload() == Workload.TOUCH;
            long da = a.outcome().deadlocks();
            long db = b.outcome().deadlocks();
            String deadlockVerdict = !touch ? "-" : da == 0 ? "n/a (A had none)" : db == 0 ? "met" : "MISSED";
            ratios.row(a.spec().workload().name(), Format.ratio(b.outcome().throughput(), a.outcome().throughput()),
                    THROUGHPUT, THROUGHPUT.verdict(tput),
                    Format.ratio(b.outcome().latency().percentileMillis(99), a.outcome().latency().percentileMillis(99)),
                    P99, P99.verdict(p99),
                    Format.count(da) + " -> " + Format.count(db), touch ? "0 in B where A > 0" : "-",
                    deadlockVerdict);
        }
        report.table(ratios);

        String subtitle = "A: FK added by the benchmark; B: schema as shipped. " + size.enrollers()
                + " enrollers, " + size.hotUsers() + " hot users, " + size.writers() + " writers holding "
                + size.hold().toMillis() + " ms; " + size.measure().toSeconds() + " s window"
                + (quick ? " (quick)" : "") + "\n" + report.chartStamp();
        for (int i = 0; i < results.size(); i += 2) {
            EnrollLoad.Result a = results.get(i);
            EnrollLoad.Result b = results.get(i + 1);
            String w = a.spec().workload().name();
            report.chart("contention-" + w + "-latency.svg", Charts.percentiles(
                    "Contention, " + w + ": latency by percentile", subtitle, List.of(
                            Charts.percentileSeries("A: with FK", Charts.RED, a.outcome().latency().histogram()),
                            Charts.percentileSeries("B: as shipped", Charts.BLUE,
                                    b.outcome().latency().histogram()))));
            report.chart("contention-" + w + "-throughput.svg", Charts.throughput(
                    "Contention, " + w + ": enrollments per second", subtitle, List.of(
                            Charts.perSecondSeries("A: with FK", Charts.RED, a.perSecond()),
                            Charts.perSecondSeries("B: as shipped", Charts.BLUE,
                                    b.perSecond()))));
        }
    }

    /**
     * The figures of contention runs, one row each.
     *
     * @param results the runs
     * @return the table
     */
    static Table figures(List<EnrollLoad.Result> results) {
        Table t = new Table("workload", "variant ", "writers ", "enroll/s", "p50 ms", "p99 ms", "max ms", "inserted",
                "deadlocks (client)", "lock-wait timeouts (client)", "deadlocks (server)", "lock timeouts (server)",
                "row-lock waits", "row-lock time ms", "writer tx/s", "writer deadlock victims", "load avg");
        for (EnrollLoad.Result r : results) {
            Workers.Outcome o = r.outcome();
            t.row(r.spec().workload().name(), r.spec().variant() + (r.spec().foreignKey() ? " (FK)" : " (no FK)"),
                    r.spec().writers() ? "yes" : "no",
                    Format.rate(o.throughput()), Format.millis(o.latency().percentileMillis(50)),
                    Format.millis(o.latency().percentileMillis(99)), Format.millis(o.latency().maxMillis()),
                    Double.isNaN(r.insertedShare()) ? "n/a"
                            : String.format(java.util.Locale.ROOT, "%.0f%%", 100 * r.insertedShare()),
                    Format.count(o.deadlocks()), Format.count(o.lockTimeouts()),
                    counter(r.counter("Innodb_deadlocks", "lock_deadlocks")), counter(r.counter("lock_timeouts")),
                    counter(r.counter("Innodb_row_lock_waits")), counter(r.counter("Innodb_row_lock_time")),
                    Format.rate(r.writerTxPerSec()), Format.count(r.writerVictims()),
                    String.format(java.util.Locale.ROOT, "%.1f", r.load()));
        }
        return t;
    }

    /**
     * Says whether the machine kept up: writers that complete far fewer transactions than their sleep allows were
     * starved of CPU, and then so were the enrollers, whatever the variant.
     *
     * @param results the runs
     * @param size    their sizes
     * @return a sentence for under the table
     */
    static String starvation(List<EnrollLoad.Result> results, EnrollLoad.Size size) {
        double nominal = size.nominalWriterRate();
        List<String> starved = new ArrayList<>();
        for (EnrollLoad.Result r : results) {
            if (r.spec().writers() && r.writerTxPerSec() < 0.75 * nominal) {
                starved.add(r.spec().label());
            }
        }
        String base = String.format(java.util.Locale.ROOT, "Writers can complete at most about %.0f tx/s (%d x "
                + "1000 / %d ms); load avg is the machine's 1-minute load when the window opened (%d cores).",
                nominal, size.writers(), size.hold().toMillis(), Runtime.getRuntime().availableProcessors());
        return starved.isEmpty() ? base : base + " **Starved (writers under 75% of that, figures unreliable): "
                + String.join(", ", starved) + ".**";
    }

    private static String counter(long v) {
        return v < 0 ? "n/a" : Format.count(v);
    }
}
