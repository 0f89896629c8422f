package io.qube.store.pg;

import io.qube.store.watch.WatchConfig;
import io.vertx.pgclient.PgConnectOptions;

import java.time.Duration;

/**
 * How one store instance connects and behaves.
 *
 * @param readPoolSize        connections for reads and the log follower
 * @param maxBatch            most writes committed in one transaction
 * @param batchesInFlight     write transactions one process keeps going at once. Each holds the revision lock
 *                            until it has committed (with synchronous_commit on, until its WAL is flushed), so a
 *                            second one only overlaps the round trip, and it splits the waiting writes into
 *                            smaller batches: on loopback 1 is faster (see docs/PERFORMANCE.md); a server far away
 *                            (round trip near the commit time) may gain from 2
 * @param retainedRevisions   change-log history kept by compaction
 * @param compactionInterval  how often to compact
 */
public record PgStoreConfig(PgConnectOptions connect, int readPoolSize, int maxBatch, int batchesInFlight,
                            long retainedRevisions, Duration compactionInterval, WatchConfig watch) {

    public static PgStoreConfig defaults(PgConnectOptions connect) {
        return new PgStoreConfig(connect, 8, 256, 1, 100_000, Duration.ofMinutes(1), WatchConfig.defaults());
    }

    public PgStoreConfig withRetention(long revisions, Duration interval) {
        return new PgStoreConfig(connect, readPoolSize, maxBatch, batchesInFlight, revisions, interval, watch);
    }

    public PgStoreConfig withWatch(WatchConfig newWatch) {
        return new PgStoreConfig(connect, readPoolSize, maxBatch, batchesInFlight, retainedRevisions,
                compactionInterval, newWatch);
    }

    public PgStoreConfig withBatchesInFlight(int newBatchesInFlight) {
        return new PgStoreConfig(connect, readPoolSize, maxBatch, newBatchesInFlight, retainedRevisions,
                compactionInterval, watch);
    }

    /** The same server as a JDBC URL, for the migrations. */
    String jdbcUrl() {
        return "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    }
}
