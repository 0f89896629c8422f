package io.qube.agent;

/** The Job and CronJob scenarios on two simulated nodes of a real `qube agent --runtime simulated`. */
class JobsIT extends JobScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return SimulatedCluster.start(2, "j", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
    }
}
