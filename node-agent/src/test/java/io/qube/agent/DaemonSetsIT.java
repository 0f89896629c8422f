package io.qube.agent;

/** The DaemonSet scenarios on three simulated nodes of a real `qube agent --runtime simulated`, and a fourth later. */
class DaemonSetsIT extends DaemonSetScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return SimulatedCluster.start(3, "ds", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
    }
}
