package io.qube.agent;

/**
 * Issue 8's two figures in one run, each against a control plane of its own: the process runtime's pod startup
 * ({@link ProcessStartupBenchmark}, 100 pods) and simulated nodes at scale ({@link SimulatedScaleBenchmark},
 * 1,000 nodes and 10,000 pods). Run with bench/agent.sh.
 */
public final class AgentBenchmark {

    private AgentBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ProcessStartupBenchmark.run(100);
        SimulatedScaleBenchmark.run(1000, 10_000);
    }
}
