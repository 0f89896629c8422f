package io.qube.launcher;

import io.qube.store.pg.PgObjectStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live whatever the database's state: the store recovers from an outage by itself, so restarting the process
 * would not help. Reports how far the watch cache has read, which shows whether it still moves.
 */
@Liveness
@Singleton
public class StoreLivenessCheck implements HealthCheck {

    private final PgObjectStore store;

    @Inject
    public StoreLivenessCheck(PgObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(StoreReadinessCheck.NAME)
                .up()
                .withData("appliedRevision", store.watchCache().appliedRevision())
                .build();
    }
}
