package dev.enrollment.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The harness's own arithmetic: percentiles, per-second buckets, ratios, targets. No timing is asserted. */
class StatisticsTest {
    private static long ms(double millis) {
        return (long) (millis * 1_000_000);
    }

    @Test
    void percentilesOfAKnownDistribution() {
        LatencyRecorder r = new LatencyRecorder(1);
        for (int i = 1; i <= 1000; i++) {
            r.record(ms(i / 10.0), 0);   // 0.1 ms .. 100 ms, evenly
        }
        assertThat(r.count()).isEqualTo(1000);
        assertThat(r.percentileMillis(50)).isCloseTo(50.0, within(0.1));
        assertThat(r.percentileMillis(99)).isCloseTo(99.0, within(0.1));
        assertThat(r.maxMillis()).isCloseTo(100.0, within(0.1));
        assertThat(r.meanMillis()).isCloseTo(50.05, within(0.1));
    }

    @Test
    void emptyRecorderReportsZeroNotAnError() {
        LatencyRecorder r = new LatencyRecorder(3);
        assertThat(r.percentileMillis(99)).isZero();
        assertThat(r.maxMillis()).isZero();
        assertThat(r.perSecond()).containsExactly(0, 0, 0);
    }

    @Test
    void latenciesAreClampedToTheRecordableRange() {
        LatencyRecorder r = new LatencyRecorder(1);
        r.record(0, 0);
        r.record(TimeUnit.HOURS.toNanos(2), 0);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.percentileMillis(0)).isCloseTo(0.001, within(0.0001));
        assertThat(r.maxMillis()).isCloseTo(LatencyRecorder.HIGHEST_MICROS / 1000.0,
                within(LatencyRecorder.HIGHEST_MICROS / 1000.0 * 0.001));
    }

    @Test
    void perSecondBucketsAndMerging() {
        LatencyRecorder a = new LatencyRecorder(3);
        LatencyRecorder b = new LatencyRecorder(3);
        a.record(ms(1), 0);
        a.record(ms(1), 2);
        a.record(ms(1), 3);    // outside the window: in the histogram, not in a bucket
        a.record(ms(1), -1);
        b.record(ms(3), 2);
        a.add(b);
        assertThat(a.count()).isEqualTo(5);
        assertThat(a.perSecond()).containsExactly(1, 0, 2);
        assertThat(a.maxMillis()).isCloseTo(3.0, within(0.01));
    }

    @Test
    void outcomesSumWindowsAndCounts() {
        LatencyRecorder one = new LatencyRecorder(2);
        one.record(ms(1), 0);
        LatencyRecorder two = new LatencyRecorder(2);
        two.record(ms(2), 1);
        two.record(ms(2), 1);
        Workers.Outcome sum = Workers.Outcome.sum(java.util.List.of(
                new Workers.Outcome(one, 2.0, 5, 1, 1, 0, 0, null, 0),
                new Workers.Outcome(two, 2.0, 7, 2, 0, 1, 1, "boom", 0)));
        assertThat(sum.latency().count()).isEqualTo(3);
        assertThat(sum.seconds()).isEqualTo(4.0);
        assertThat(sum.throughput()).isEqualTo(0.75);
        assertThat(sum.calls()).isEqualTo(12);
        assertThat(sum.deadlocks()).isEqualTo(1);
        assertThat(sum.lockTimeouts()).isEqualTo(1);
        assertThat(sum.firstError()).isEqualTo("boom");
        assertThat(sum.latency().perSecond()).containsExactly(1, 2);
    }

    @Test
    void ratiosAreFormattedWithTwoDecimalsAndRefuseZeroDenominators() {
        assertThat(Format.ratio(41, 100)).isEqualTo("0.41x");
        assertThat(Format.ratio(3, 2)).isEqualTo("1.50x");
        assertThat(Format.ratio(300, 10)).isEqualTo("30.0x");
        assertThat(Format.ratio(1, 0)).isEqualTo("n/a");
        assertThat(Format.ratio(Double.NaN, 1)).isEqualTo("n/a");
        assertThat(Format.ratioValue(0, 0)).isNaN();
    }

    @Test
    void figuresAreFormattedForReading() {
        assertThat(Format.millis(0.4567)).isEqualTo("0.46");
        assertThat(Format.millis(37.84)).isEqualTo("37.8");
        assertThat(Format.millis(226.4)).isEqualTo("226");
        assertThat(Format.rate(1552.4)).isEqualTo("1,552");
        assertThat(Format.rate(12.34)).isEqualTo("12.3");
        assertThat(Format.count(1_000_000)).isEqualTo("1,000,000");
    }

    @Test
    void targetsCheckTheirBoundInclusively() {
        Target p99 = Target.atMost(0.4);
        assertThat(p99.met(0.4)).isTrue();
        assertThat(p99.met(0.41)).isFalse();
        assertThat(p99.verdict(0.3)).isEqualTo("met");
        assertThat(p99.verdict(0.5)).isEqualTo("MISSED");
        assertThat(p99.verdict(Double.NaN)).isEqualTo("n/a");
        Target throughput = Target.atLeast(1.2);
        assertThat(throughput.met(1.2)).isTrue();
        assertThat(throughput.met(1.19)).isFalse();
        assertThat(throughput).hasToString(">= 1.20x");
        assertThat(p99).hasToString("<= 0.40x");
    }
}
