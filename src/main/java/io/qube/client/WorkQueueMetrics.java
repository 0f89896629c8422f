package io.qube.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * client-go's workqueue metrics, per queue name: {@code workqueue_depth}, {@code workqueue_adds_total},
 * {@code workqueue_retries_total}, {@code workqueue_queue_duration_seconds}, {@code workqueue_work_duration_seconds},
 * {@code workqueue_unfinished_work_seconds} and {@code workqueue_longest_running_processor_seconds}.
 *
 * <p>As client-go's {@code workqueue.SetProvider}, the registry is set once for the process ({@link #use}) by
 * whoever runs the controllers, so the controllers need not carry it; queues made before that, or in processes that
 * never set it, record nothing. A controller's queue is made anew at each leadership term: the meters are kept by
 * name and the gauges read whichever queue of that name is current.
 */
public final class WorkQueueMetrics {

    /** What the gauges read from a live queue. */
    interface Readings {
        int depth();

        /** Seconds of work in progress, summed over keys being reconciled, and the longest of them. */
        double[] unfinished();
    }

    private static final Readings IDLE = new Readings() {
        @Override
        public int depth() {
            return 0;
        }

        @Override
        public double[] unfinished() {
            return new double[2];
        }
    };

    /** client-go's buckets: 10 ns to 10 s, a decade each. */
    private static final Duration[] BUCKETS = buckets();
    /** The registry set for the process and the meters made in it, by queue name. */
    private record Provider(MeterRegistry registry, ConcurrentHashMap<String, WorkQueueMetrics> byName) {
    }

    private static final AtomicReference<Provider> PROVIDER = new AtomicReference<>();

    final Counter adds;
    final Counter retries;
    final Timer queueDuration;
    final Timer workDuration;
    private final AtomicReference<Readings> current = new AtomicReference<>(IDLE);

    private WorkQueueMetrics(MeterRegistry registry, String name) {
        adds = Counter.builder("workqueue.adds").description("Total number of adds handled by workqueue")
                .tag("name", name).register(registry);
        retries = Counter.builder("workqueue.retries").description("Total number of retries handled by workqueue")
                .tag("name", name).register(registry);
        queueDuration = Timer.builder("workqueue.queue.duration")
                .description("How long in seconds an item stays in workqueue before being requested.")
                .serviceLevelObjectives(BUCKETS).tag("name", name).register(registry);
        workDuration = Timer.builder("workqueue.work.duration")
                .description("How long in seconds processing an item from workqueue takes.")
                .serviceLevelObjectives(BUCKETS).tag("name", name).register(registry);
        Gauge.builder("workqueue.depth", current, c -> c.get().depth())
                .description("Current depth of workqueue").tag("name", name).register(registry);
        Gauge.builder("workqueue.unfinished.work", current, c -> c.get().unfinished()[0]).baseUnit("seconds")
                .description("How many seconds of work has done that is in progress and hasn't been observed by "
                        + "work_duration.").tag("name", name).register(registry);
        Gauge.builder("workqueue.longest.running.processor", current, c -> c.get().unfinished()[1])
                .baseUnit("seconds")
                .description("How many seconds has the longest running processor for workqueue been running.")
                .tag("name", name).register(registry);
    }

    /** Queues made from now on record into {@code registry}. */
    public static void use(MeterRegistry registry) {
        PROVIDER.updateAndGet(old -> registry == null ? null : old != null && old.registry() == registry ? old
                : new Provider(registry, new ConcurrentHashMap<>()));
    }

    /** The registry queues record into now, or null. */
    static MeterRegistry registry() {
        Provider provider = PROVIDER.get();
        return provider == null ? null : provider.registry();
    }

    /** The meters of the queue {@code name}, or null when no registry is set. */
    static WorkQueueMetrics forQueue(String name) {
        Provider provider = PROVIDER.get();
        return provider == null ? null
                : provider.byName().computeIfAbsent(name, n -> new WorkQueueMetrics(provider.registry(), n));
    }

    void bind(Readings queue) {
        current.set(queue);
    }

    /** A closed queue leaves the gauges at zero, unless a newer queue of its name took them already. */
    void unbind(Readings queue) {
        current.compareAndSet(queue, IDLE);
    }

    private static Duration[] buckets() {
        Duration[] buckets = new Duration[10];
        long nanos = 10;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofNanos(nanos);
            nanos *= 10;
        }
        return buckets;
    }
}
