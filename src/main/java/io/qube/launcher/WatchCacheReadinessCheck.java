package io.qube.launcher;

import io.qube.store.pg.PgObjectStore;
import io.qube.store.watch.WatchCache;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * The watch cache on its own, from what it already knows (no database round trip, unlike {@link
 * StoreReadinessCheck}): not ready when the database has announced revisions the cache has not applied and the
 * cache has not read the change log successfully for {@link #STUCK_AFTER}. Behind for a moment is normal; behind
 * and not reading means lists and watches served from it are stale.
 */
@Readiness
@Singleton
public class WatchCacheReadinessCheck implements HealthCheck {

    static final String NAME = "qube-watch-cache";
    static final Duration STUCK_AFTER = Duration.ofSeconds(10);

    private final PgObjectStore store;

    @Inject
    public WatchCacheReadinessCheck(PgObjectStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        WatchCache cache = store.watchCache();
        long applied = cache.appliedRevision();
        long lag = Math.max(0, cache.notifiedRevision() - applied);
        long sinceRead = System.currentTimeMillis() - cache.lastReadMillis();
        boolean stuck = lag > 0 && sinceRead > STUCK_AFTER.toMillis();
        return HealthCheckResponse.named(NAME)
                .status(!stuck)
                .withData("appliedRevision", applied)
                .withData("lagRevisions", lag)
                .withData("watchers", cache.watcherCount())
                .withData("lastReadMillisAgo", sinceRead)
                .build();
    }
}
