package io.qube.controller;

import io.qube.client.Leadership;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** The controller manager's part of /q/health: whether this process leads it or stands by (both healthy). */
@Readiness
@Liveness
@Singleton
public class ControllerManagerHealthCheck implements HealthCheck {

    static final String NAME = "kube-controller-manager";

    @Inject
    ControllerManager manager;

    @Inject
    ControllerSettings settings;

    @Override
    public HealthCheckResponse call() {
        return Leadership.health(NAME, ControllerManager.LEASE_NAME, settings.enabled(), manager.election());
    }
}
