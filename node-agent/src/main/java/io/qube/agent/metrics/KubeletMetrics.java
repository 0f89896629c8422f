package io.qube.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.SandboxStatus;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's metrics, named and labelled as the kubelet's (pkg/kubelet/metrics) and kube-proxy's so that dashboards
 * and alerts written for Kubernetes read them unchanged. Each node has a registry of its own, so that a node's
 * endpoint serves that node's figures only. Histograms have the kubelet's buckets.
 */
public final class KubeletMetrics {

    /** The kubelet's podStartupDurationBuckets. */
    private static final double[] POD_START_BUCKETS = {0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240,
            300, 360, 480, 600, 900, 1200, 1800, 2700, 3600};
    /** Prometheus' DefBuckets, which the kubelet's pod worker histogram uses. */
    private static final double[] DEFAULT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** The kubelet's runtime operation buckets: ExponentialBuckets(0.005, 2.5, 14). */
    private static final double[] RUNTIME_BUCKETS = exponential(0.005, 2.5, 14);
    /** kube-proxy's sync buckets: ExponentialBuckets(0.001, 2, 15). */
    private static final double[] PROXY_SYNC_BUCKETS = exponential(0.001, 2, 15);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong runningPods = new AtomicLong();
    private final AtomicLong runningContainers = new AtomicLong();
    private final AtomicLong exitedContainers = new AtomicLong();
    private final AtomicLong proxyLastSync = new AtomicLong();
    private final java.util.Map<String, AtomicLong> evictions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter startedPods;
    private final Timer podStart;

    public KubeletMetrics(String node) {
        Gauge.builder("kubelet_node_name", () -> 1).description("The node's name. The count is always 1.")
                .tag("node", node).register(registry);
        Gauge.builder("kubelet_running_pods", runningPods, AtomicLong::get)
                .description("Number of pods that have a running pod sandbox").register(registry);
        Gauge.builder("kubelet_running_containers", runningContainers, AtomicLong::get)
                .description("Number of containers currently running").tag("container_state", "running")
                .register(registry);
        Gauge.builder("kubelet_running_containers", exitedContainers, AtomicLong::get)
                .description("Number of containers currently running").tag("container_state", "exited")
                .register(registry);
        startedPods = Counter.builder("kubelet_started_pods").description("Cumulative number of pods started")
                .register(registry);
        podStart = timer("kubelet_pod_start_duration", "Duration in seconds from kubelet seeing a pod for the first "
                + "time to the pod starting to run", POD_START_BUCKETS).register(registry);
    }

    /** What the runtime holds now: its sandboxes count as running pods, their containers by state. */
    public void runtimeHolds(List<SandboxStatus> sandboxes) {
        runningPods.set(sandboxes.size());
        List<ContainerStatus> containers = sandboxes.stream().flatMap(s -> s.containers().stream()).toList();
        long running = containers.stream().filter(ContainerStatus::running).count();
        runningContainers.set(running);
        exitedContainers.set(containers.size() - running);
    }

    /** A pod went from Pending to Running, {@code sinceFirstSeen} after its worker first saw it. */
    public void podStarted(Duration sinceFirstSeen) {
        podStart.record(sinceFirstSeen);
    }

    /** A pod's sandbox was made (the kubelet counts sandbox creations as started pods). */
    public void sandboxStarted() {
        startedPods.increment();
    }

    /** @param type container, init_container or ephemeral_container */
    public void containerStarted(String type) {
        Counter.builder("kubelet_started_containers").description("Cumulative number of containers started")
                .tag("container_type", type).register(registry).increment();
    }

    /** @param type create, update, sync or kill, as the kubelet's pod workers name their syncs */
    public void podWorker(String type, Duration took) {
        timer("kubelet_pod_worker_duration", "Duration in seconds to sync a single pod. Broken down by operation "
                + "type: create, update, or sync", DEFAULT_BUCKETS).tag("operation_type", type).register(registry)
                .record(took);
    }

    /** One call to the runtime, by the kubelet's CRI operation name; a failed call counts as an error too. */
    public void runtimeOperation(String operation, Duration took, boolean failed) {
        Counter.builder("kubelet_runtime_operations").description("Cumulative number of runtime operations by "
                + "operation type.").tag("operation_type", operation).register(registry).increment();
        timer("kubelet_runtime_operations_duration", "Duration in seconds of runtime operations. Broken down by "
                + "operation type.", RUNTIME_BUCKETS).tag("operation_type", operation).register(registry).record(took);
        if (failed) {
            Counter.builder("kubelet_runtime_operations_errors").description("Cumulative number of runtime "
                    + "operation errors by operation type.").tag("operation_type", operation).register(registry)
                    .increment();
        }
    }

    /** A pod evicted because of the signal (memory.available, nodefs.available). */
    public void evicted(String signal) {
        // The kubelet's counter is named kubelet_evictions, and Micrometer (like the Prometheus client) ends every
        // counter's name in _total: a gauge that only grows keeps the kubelet's name, which is what queries use.
        evictions.computeIfAbsent(signal, key -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder("kubelet_evictions", count, AtomicLong::get).description("Cumulative number of pod "
                    + "evictions by eviction signal").tag("eviction_signal", key).register(registry);
            return count;
        }).incrementAndGet();
    }

    /** One sync of the service proxy's rules, ended now. */
    public void proxySynced(Duration took) {
        timer("kubeproxy_sync_proxy_rules_duration", "SyncProxyRules latency in seconds", PROXY_SYNC_BUCKETS)
                .register(registry).record(took);
        if (proxyLastSync.getAndSet(System.currentTimeMillis()) == 0) {
            Gauge.builder("kubeproxy_sync_proxy_rules_last_timestamp_seconds", proxyLastSync, t -> t.get() / 1000.0)
                    .description("The last time proxy rules were successfully synced").register(registry);
        }
    }

    /** The Prometheus text (format 0.0.4) of every metric of this node. */
    public String scrape() {
        return registry.scrape();
    }

    private static Timer.Builder timer(String name, String help, double[] buckets) {
        // Micrometer adds _seconds to a timer's name; the buckets are SLO boundaries so that exactly these are kept.
        return Timer.builder(name).description(help).serviceLevelObjectives(java.util.Arrays.stream(buckets)
                .mapToObj(seconds -> Duration.ofNanos(Math.round(seconds * 1e9))).toArray(Duration[]::new));
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] buckets = new double[count];
        for (int i = 0; i < count; i++) {
            buckets[i] = start * Math.pow(factor, i);
        }
        return buckets;
    }
}
