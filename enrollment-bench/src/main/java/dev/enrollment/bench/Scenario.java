package dev.enrollment.bench;

/**
 * One benchmark: it runs its variants one after another in this process, each on fresh tables of the same size
 * after a warm-up, and reports them against a baseline measured in the same run.
 */
public interface Scenario {
    /** @return the name given to {@code --scenario} */
    String name();

    /** @return one line: what it measures and its target */
    String summary();

    /**
     * Runs the scenario.
     *
     * @param server where to create its databases
     * @param quick  whether to shorten everything
     * @param report where its tables and charts go
     */
    void run(Server server, boolean quick, Report report) throws Exception;
}
