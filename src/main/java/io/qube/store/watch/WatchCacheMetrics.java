package io.qube.store.watch;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.qube.store.ResourceType;

/**
 * Gauges read from the watch cache at each scrape: how far it has applied the change log
 * ({@code qube_store_watch_cache_revision}), how many revisions the database has announced beyond that
 * ({@code qube_store_watch_cache_lag_revisions}), its watchers ({@code qube_store_watch_cache_watchers}), and
 * kube-apiserver's {@code apiserver_storage_objects{resource}} for every type it holds ("pods",
 * "deployments.apps"), counted from memory rather than by asking the database.
 */
public final class WatchCacheMetrics {

    private WatchCacheMetrics() {
    }

    public static void register(MeterRegistry registry, WatchCache cache) {
        Gauge.builder("qube.store.watch.cache.revision", cache, WatchCache::appliedRevision)
                .description("The revision up to which the watch cache has applied the change log.")
                .register(registry);
        Gauge.builder("qube.store.watch.cache.lag.revisions", cache,
                        c -> Math.max(0, c.notifiedRevision() - c.appliedRevision()))
                .description("Revisions the database has announced that the watch cache has not applied yet.")
                .register(registry);
        Gauge.builder("qube.store.watch.cache.watchers", cache, WatchCache::watcherCount)
                .description("Watches served from the watch cache.").register(registry);
        cache.onNewType(type -> storageObjects(registry, cache, type));
    }

    private static void storageObjects(MeterRegistry registry, WatchCache cache, ResourceType type) {
        Gauge.builder("apiserver.storage.objects", cache, c -> c.objectCount(type))
                .description("Number of stored objects at the time of last check split by kind.")
                .tag("resource", type.toString()).register(registry);
    }
}
