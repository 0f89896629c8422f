package io.qube.scheduler;

import io.qube.client.Leadership;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** The scheduler's part of /q/health: whether this process leads it or stands by (both healthy). */
@Readiness
@Liveness
@Singleton
public class SchedulerHealthCheck implements HealthCheck {

    static final String NAME = "kube-scheduler";

    @Inject
    SchedulerService scheduler;

    @Inject
    SchedulerSettings settings;

    @Override
    public HealthCheckResponse call() {
        return Leadership.health(NAME, SchedulerService.LEASE_NAME, settings.enabled(), scheduler.election());
    }
}
