package io.qube.agent;

import java.util.Map;

/** The DaemonSet scenarios on two process-runtime nodes, and a third whose agent starts later. */
class ProcessDaemonSetsIT extends DaemonSetScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return ProcessCluster.start(Map.of(), 2, "pds");
    }
}
