package io.qube.agent;

import java.util.Map;

/** The Job and CronJob scenarios on two process-runtime nodes, whose pods' commands really run and exit. */
class ProcessJobsIT extends JobScenarios {

    @Override
    Cluster startCluster() throws Exception {
        return ProcessCluster.start(Map.of(), 2, "pj");
    }
}
