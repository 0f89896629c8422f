package io.qube.store.pg;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The write path's metrics: {@code qube_store_write_batch_size} (writes per transaction, which shows how much the
 * batching saves) and {@code qube_store_commit_duration_seconds} (one batch's round trip to PostgreSQL, commit
 * included), the latter with etcd's request-duration buckets so dashboards compare them directly.
 */
final class StoreMetrics {

    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final Duration[] COMMIT_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofMillis(400), Duration.ofMillis(600), Duration.ofMillis(800), Duration.ofSeconds(1),
            Duration.ofMillis(1250), Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(3),
            Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(6), Duration.ofSeconds(8),
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofSeconds(45), Duration.ofSeconds(60)};

    private final DistributionSummary batchSize;
    private final Timer commit;

    StoreMetrics(MeterRegistry registry) {
        batchSize = DistributionSummary.builder("qube.store.write.batch.size")
                .description("Writes committed together in one transaction.")
                .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        commit = Timer.builder("qube.store.commit.duration")
                .description("Latency of one write batch: its transaction from sending to commit.")
                .serviceLevelObjectives(COMMIT_BUCKETS).register(registry);
    }

    void batch(int writes, long nanos) {
        batchSize.record(writes);
        commit.record(nanos, TimeUnit.NANOSECONDS);
    }
}
