package io.qube.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** client-go's workqueue metrics as a real queue moves keys: adds, depth, retries, durations, unfinished work. */
class WorkQueueMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MeterRegistry previous;

    @BeforeEach
    void recordIntoATestRegistry() {
        previous = WorkQueueMetrics.registry();
        WorkQueueMetrics.use(registry);
    }

    @AfterEach
    void restore() {
        WorkQueueMetrics.use(previous);
    }

    @Test
    void depthCountsWaitingKeysAndDrainsToZero() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        try (WorkQueue<String> queue = new WorkQueue<>("test-queue", 1, key -> {
            waitFor(release);
            // "flaky" fails its first reconcile: one retry, with backoff.
            return key.equals("flaky") && failedOnce.add(key) ? WorkQueue.Outcome.FAILED : WorkQueue.Outcome.DONE;
        })) {
            queue.add("a");
            await().atMost(PATIENCE).until(() -> gauge("workqueue.unfinished.work") > 0);
            queue.add("b");
            queue.add("b");
            queue.add("flaky");
            // "a" is being reconciled; "b" (added twice, counted once) and "flaky" wait.
            assertThat(gauge("workqueue.depth")).isEqualTo(2);
            assertThat(counter("workqueue.adds")).isEqualTo(3);
            assertThat(gauge("workqueue.longest.running.processor")).isGreaterThan(0);

            release.countDown();
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(counter("workqueue.retries")).isEqualTo(1);
                assertThat(registry.get("workqueue.work.duration").tag("name", "test-queue").timer().count())
                        .isEqualTo(4);
                assertThat(gauge("workqueue.depth")).isZero();
                assertThat(gauge("workqueue.unfinished.work")).isZero();
            });
            assertThat(registry.get("workqueue.queue.duration").tag("name", "test-queue").timer().count())
                    .isEqualTo(4);
        }
    }

    @Test
    void aNewQueueOfTheSameNameTakesOverTheGauges() {
        WorkQueue<String> first = new WorkQueue<>("renewed", 1, key -> WorkQueue.Outcome.DONE);
        first.close();
        CountDownLatch never = new CountDownLatch(1);
        try (WorkQueue<String> second = new WorkQueue<>("renewed", 1, key -> {
            waitFor(never);
            return WorkQueue.Outcome.DONE;
        })) {
            second.add("x");
            second.add("y");
            await().atMost(PATIENCE).until(() -> registry.get("workqueue.depth").tag("name", "renewed").gauge()
                    .value() == 1);
            first.close();
            assertThat(registry.get("workqueue.depth").tag("name", "renewed").gauge().value()).isEqualTo(1);
            never.countDown();
        }
    }

    private double gauge(String name) {
        return registry.get(name).tag("name", "test-queue").gauge().value();
    }

    private double counter(String name) {
        return registry.get(name).tag("name", "test-queue").counter().count();
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
