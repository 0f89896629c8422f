package io.qube.controller;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The Endpoints, EndpointSlice, ServiceAccount and ResourceQuota controllers switched on (the API's own tests run
 * without them), with the garbage collector that removes the slices of a deleted service.
 * Their tests share this profile, so Quarkus starts once for all of them.
 */
public class ServiceControllersProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("qube.controllers.endpoints.enabled", "true",
                "qube.controllers.endpointslice.enabled", "true",
                "qube.controllers.serviceaccount.enabled", "true",
                "qube.controllers.resourcequota.enabled", "true",
                "qube.controllers.garbage-collector.enabled", "true");
    }
}
