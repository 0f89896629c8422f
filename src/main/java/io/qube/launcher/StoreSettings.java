package io.qube.launcher;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.qube.store.pg.PgStoreConfig;
import io.qube.store.watch.WatchConfig;
import io.smallrye.config.ConfigMapping;
import io.vertx.pgclient.PgConnectOptions;

import java.time.Duration;

/** The {@code qube.store.*} and {@code qube.watch.*} settings; their defaults are in application.properties. */
@ConfigMapping(prefix = "qube")
public interface StoreSettings {

    Store store();

    Watch watch();

    interface Store {
        /** Change-log revisions compaction keeps; watches resuming from before them get Expired. */
        long retainedRevisions();

        Duration compactionInterval();

        /** Write transactions one process keeps going at once; see {@link PgStoreConfig#batchesInFlight()}. */
        int batchesInFlight();
    }

    interface Watch {
        /** Changes kept in memory per resource type for watches resuming from a past revision. */
        int window();

        /** Events a watcher may have waiting before it is closed with Expired. */
        int watcherBuffer();

        Duration bookmarkInterval();
    }

    /**
     * The store configuration these settings describe, on top of the store's defaults for everything they do not
     * cover.
     *
     * @throws ConfigurationException naming the setting when a value is out of range
     */
    default PgStoreConfig toStoreConfig(PgConnectOptions connect) {
        WatchConfig watch = WatchConfig.defaults()
                .withWindow((int) positive("qube.watch.window", watch().window()))
                .withWatcherBuffer((int) positive("qube.watch.watcher-buffer", watch().watcherBuffer()))
                .withBookmarkInterval(positive("qube.watch.bookmark-interval", watch().bookmarkInterval()));
        return PgStoreConfig.defaults(connect)
                .withRetention(positive("qube.store.retained-revisions", store().retainedRevisions()),
                        positive("qube.store.compaction-interval", store().compactionInterval()))
                .withBatchesInFlight((int) positive("qube.store.batches-in-flight", store().batchesInFlight()))
                .withWatch(watch);
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new ConfigurationException(name + " must be a positive number, got " + value);
        }
        return value;
    }

    /** Timers below a millisecond cannot be scheduled, so those count as zero. */
    private static Duration positive(String name, Duration value) {
        if (value.toMillis() <= 0) {
            throw new ConfigurationException(name + " must be at least 1ms, got " + value);
        }
        return value;
    }
}
