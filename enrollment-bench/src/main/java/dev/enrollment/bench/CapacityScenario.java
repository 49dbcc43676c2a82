package dev.enrollment.bench;

import dev.enrollment.CourseCapacity;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Scenario 6: what an exact course capacity costs under the contention load. Variant B is the schema as shipped
 * with no capacity; C the same with a capacity for every course, so large that no course fills up: every
 * activation then locks its course's seat row and counts the course's active enrollments. Both on the contention
 * scenario's 5,000 courses and on 10 hot courses, where activations queue on the seat rows. Target: on 5,000
 * courses, C's throughput at least 0.8x of B's.
 */
public final class CapacityScenario implements Scenario {
    static final Target SPREAD = Target.atLeast(0.8);
    /** Never reached: the runs measure the serialization, not refusals. */
    static final long LIMIT = 1_000_000;
    static final int HOT_COURSES = 10;

    @Override
    public String name() {
        return "capacity";
    }

    @Override
    public String summary() {
        return "the contention load with activations: no capacity (B) vs a capacity on every course (C)";
    }

    @Override
    public void run(Server server, boolean quick, Report report) throws Exception {
        EnrollLoad.Size spread = EnrollLoad.Size.of(quick);
        EnrollLoad.Size hot = spread.withCourses(HOT_COURSES);
        CourseCapacity everyCourse = course -> OptionalLong.of(LIMIT);
        report.heading("Capacity: activations with and without a course capacity");
        report.paragraph(String.format(java.util.Locale.ROOT, "The contention scenario's load (%,d users, %d "
                        + "enrolling threads on %d hot users, %d writers holding user rows for %d ms) with the `toggle` "
                        + "workload, on the schema as shipped. B: no capacity configured. C: "
                        + "`Enrollments.builder().capacity(course -> OptionalLong.of(%,d))`, a limit no course "
                        + "reaches, so every activation locks the course's `enrollment_course_seat` row and counts the "
                        + "course's active enrollments before it writes (the seat rows are made before the window, as each "
                        + "course's first capped activation makes its own). Once on %,d courses, once on %d hot courses. "
                        + "Warm-up %d s, measured %d s, each run on a fresh database; runs in the order %s.",
                spread.users(), spread.enrollers(), spread.hotUsers(), spread.writers(), spread.hold().toMillis(),
                LIMIT, spread.courses(), HOT_COURSES, spread.warmup().toSeconds(), spread.measure().toSeconds(),
                spread.order().replace("B", "C").replace("A", "B")));
        report.paragraph("- " + Workload.TOGGLE.describe());

        List<EnrollLoad.Result> results = new ArrayList<>();
        List<String> pools = List.of(spread.courses() + " courses", HOT_COURSES + " courses");
        for (EnrollLoad.Size size : List.of(spread, hot)) {
            results.addAll(EnrollLoad.runAll(server, size, List.of(
                    new EnrollLoad.Spec("B", false, Workload.TOGGLE, true),
                    new EnrollLoad.Spec("C", false, Workload.TOGGLE, true, everyCourse)), report));
        }
        report.table(ContentionScenario.figures(results));
        report.paragraph(ContentionScenario.starvation(results, spread));

        Table ratios = new Table("course pool", "throughput C/B", "target ", "verdict ", "p50 C/B", "p99 C/B");
        for (int i = 0; i < results.size(); i += 2) {
            EnrollLoad.Result b = results.get(i);
            EnrollLoad.Result c = results.get(i + 1);
            double tput = Format.ratioValue(c.outcome().throughput(), b.outcome().throughput());
            boolean spreadPool = i == 0;
            ratios.row(pools.get(i / 2), Format.ratio(c.outcome().throughput(), b.outcome().throughput()),
                    spreadPool ? SPREAD.toString() : "-", spreadPool ? SPREAD.verdict(tput) : "-",
                    Format.ratio(c.outcome().latency().percentileMillis(50), b.outcome().latency().percentileMillis(50)),
                    Format.ratio(c.outcome().latency().percentileMillis(99), b.outcome().latency().percentileMillis(99)));
        }
        report.table(ratios);
    }
}
