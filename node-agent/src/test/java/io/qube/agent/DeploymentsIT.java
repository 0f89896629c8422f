package io.qube.agent;

/** The Deployment scenarios on three simulated nodes a real `qube agent --runtime simulated` runs. */
class DeploymentsIT extends DeploymentScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return SimulatedCluster.start(3, "d", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
    }
}
