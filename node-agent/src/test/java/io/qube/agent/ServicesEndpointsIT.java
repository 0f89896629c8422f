package io.qube.agent;

/** The Service scenarios on two simulated nodes of a real `qube agent --runtime simulated` (pod IPs 10.240.0.0/12). */
class ServicesEndpointsIT extends ServiceScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return SimulatedCluster.start(2, "svc", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
    }
}
