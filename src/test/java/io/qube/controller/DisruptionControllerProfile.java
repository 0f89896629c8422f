package io.qube.controller;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The disruption controller switched on (the API's own tests run without it), with an evicted pod's deletion
 * timeout of a few seconds instead of Kubernetes' two minutes so that a test can see an entry expire. The
 * controller's, the eviction's and kubectl drain's tests share it, so Quarkus starts once for all of them.
 */
public class DisruptionControllerProfile implements QuarkusTestProfile {

    /** How long an evicted pod that is not deleted keeps its place in disruptedPods here. */
    public static final String DELETION_TIMEOUT = "4s";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("qube.controllers.disruption.enabled", "true",
                "qube.controllers.disruption.deletion-timeout", DELETION_TIMEOUT);
    }
}
