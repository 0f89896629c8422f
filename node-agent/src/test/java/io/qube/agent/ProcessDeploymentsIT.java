package io.qube.agent;

import java.util.Map;

/** The Deployment scenarios on two process-runtime nodes, whose pods are real processes of this machine. */
class ProcessDeploymentsIT extends DeploymentScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return ProcessCluster.start(Map.of(), 2, "pd");
    }
}
