package io.qube.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.qube.scheduler.queue.SchedulingQueue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scheduler's metrics under kube-scheduler's names, as Prometheus reads them on /q/metrics:
 * scheduler_schedule_attempts_total, scheduler_scheduling_attempt_duration_seconds, scheduler_pending_pods,
 * scheduler_pod_scheduling_attempts, scheduler_pod_scheduling_sli_duration_seconds,
 * scheduler_preemption_attempts_total, scheduler_preemption_victims.
 */
final class SchedulerMetrics {

    /** kube-scheduler's attempt duration buckets: 1 ms doubling fifteen times. */
    private static final Duration[] ATTEMPT_BUCKETS = buckets(Duration.ofMillis(1), 15);
    /** kube-scheduler's SLI buckets: 10 ms doubling twenty times. */
    private static final Duration[] SLI_BUCKETS = buckets(Duration.ofMillis(10), 20);

    private final MeterRegistry registry;
    private final String profile;
    private final ConcurrentHashMap<String, Counter> attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
    private final DistributionSummary attemptsToSchedule;
    private final Timer sli;
    private final Counter preemptionAttempts;
    private final DistributionSummary preemptionVictims;
    private final AtomicReference<SchedulingQueue> queue = new AtomicReference<>();

    SchedulerMetrics(MeterRegistry registry, String profile) {
        this.registry = registry;
        this.profile = profile;
        this.attemptsToSchedule = DistributionSummary.builder("scheduler.pod.scheduling.attempts")
                .description("Number of attempts to successfully schedule a pod.")
                .serviceLevelObjectives(1, 2, 4, 8, 16).register(registry);
        this.sli = Timer.builder("scheduler.pod.scheduling.sli.duration")
                .description("E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue.")
                .serviceLevelObjectives(SLI_BUCKETS).register(registry);
        this.preemptionAttempts = Counter.builder("scheduler.preemption.attempts")
                .description("Total preemption attempts in the cluster till now").register(registry);
        this.preemptionVictims = DistributionSummary.builder("scheduler.preemption.victims")
                .description("Number of selected preemption victims").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(registry);
        for (String name : List.of("active", "backoff", "unschedulable", "gated")) {
            Gauge.builder("scheduler.pending.pods", queue, q -> q.get() == null ? 0 : q.get().sizes().get(name))
                    .description("Number of pending pods, by the queue type.").tag("queue", name).register(registry);
        }
    }

    void watch(SchedulingQueue current) {
        queue.set(current);
    }

    /** One scheduling attempt ended: result is scheduled, unschedulable or error. */
    void attempt(String result, long nanos) {
        attempts.computeIfAbsent(result, r -> Counter.builder("scheduler.schedule.attempts")
                .description("Number of attempts to schedule pods, by the result.")
                .tags("result", r, "profile", profile).register(registry)).increment();
        durations.computeIfAbsent(result, r -> Timer.builder("scheduler.scheduling.attempt.duration")
                .description("Scheduling attempt latency (scheduling algorithm + binding)")
                .serviceLevelObjectives(ATTEMPT_BUCKETS).tags("result", r, "profile", profile).register(registry))
                .record(Duration.ofNanos(nanos));
    }

    /** A pod was bound after {@code attemptCount} attempts, {@code sinceQueued} after it first entered the queue. */
    void scheduled(int attemptCount, Duration sinceQueued) {
        attemptsToSchedule.record(attemptCount);
        sli.record(sinceQueued);
    }

    /** PostFilter ran for a pod that fit nowhere. */
    void preemptionAttempt() {
        preemptionAttempts.increment();
    }

    void preemptionVictims(int victims) {
        preemptionVictims.record(victims);
    }

    private static Duration[] buckets(Duration first, int count) {
        Duration[] buckets = new Duration[count];
        for (int i = 0; i < count; i++) {
            buckets[i] = first.multipliedBy(1L << i);
        }
        return buckets;
    }
}
