package io.qube.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The test profile with the scheduler and the ReplicaSet controller on: a workload whose every part reports. */
public class MetricsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("qube.scheduler.enabled", "true", "qube.controllers.replicaset.enabled", "true");
    }
}
