package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KubeletMetricsTest {

    private final KubeletMetrics metrics = new KubeletMetrics("node-a");

    @Test
    void runningPodsAndContainersAreWhatTheRuntimeHolds() {
        metrics.runtimeHolds(List.of(sandbox("a", true, false), sandbox("b", true)));

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_running_pods")).isEqualTo(2.0);
        assertThat(samples.value("kubelet_running_containers", Map.of("container_state", "running"))).isEqualTo(2.0);
        assertThat(samples.value("kubelet_running_containers", Map.of("container_state", "exited"))).isEqualTo(1.0);
        assertThat(samples.value("kubelet_node_name", Map.of("node", "node-a"))).isEqualTo(1.0);
    }

    @Test
    void podStartHasTheKubeletsBuckets() {
        metrics.podStarted(Duration.ofMillis(1500));

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.buckets("kubelet_pod_start_duration_seconds")).containsExactly("0.5", "1.0", "2.0", "3.0",
                "4.0", "5.0", "6.0", "8.0", "10.0", "20.0", "30.0", "45.0", "60.0", "120.0", "180.0", "240.0", "300.0",
                "360.0", "480.0", "600.0", "900.0", "1200.0", "1800.0", "2700.0", "3600.0", "+Inf");
        assertThat(samples.value("kubelet_pod_start_duration_seconds_bucket", Map.of("le", "1.0"))).isEqualTo(0.0);
        assertThat(samples.value("kubelet_pod_start_duration_seconds_bucket", Map.of("le", "2.0"))).isEqualTo(1.0);
        assertThat(samples.value("kubelet_pod_start_duration_seconds_count")).isEqualTo(1.0);
    }

    @Test
    void countersKeepTheKubeletsNamesAndLabels() {
        metrics.sandboxStarted();
        metrics.containerStarted("init_container");
        metrics.containerStarted("container");
        metrics.containerStarted("container");
        metrics.podWorker("create", Duration.ofMillis(30));
        metrics.evicted("memory.available");
        metrics.proxySynced(Duration.ofMillis(3));

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_started_pods_total")).isEqualTo(1.0);
        assertThat(samples.value("kubelet_started_containers_total", Map.of("container_type", "container")))
                .isEqualTo(2.0);
        assertThat(samples.value("kubelet_started_containers_total", Map.of("container_type", "init_container")))
                .isEqualTo(1.0);
        assertThat(samples.value("kubelet_pod_worker_duration_seconds_count", Map.of("operation_type", "create")))
                .isEqualTo(1.0);
        assertThat(samples.buckets("kubelet_pod_worker_duration_seconds")).startsWith("0.005", "0.01", "0.025");
        assertThat(samples.value("kubelet_evictions", Map.of("eviction_signal", "memory.available"))).isEqualTo(1.0);
        assertThat(samples.value("kubeproxy_sync_proxy_rules_duration_seconds_count")).isEqualTo(1.0);
        assertThat(samples.value("kubeproxy_sync_proxy_rules_last_timestamp_seconds"))
                .isGreaterThan(Instant.now().minusSeconds(60).getEpochSecond());
    }

    @Test
    void eachNodeHasMetricsOfItsOwn() {
        KubeletMetrics other = new KubeletMetrics("node-b");
        other.sandboxStarted();

        assertThat(PrometheusSamples.parse(metrics.scrape()).value("kubelet_started_pods_total")).isEqualTo(0.0);
        assertThat(PrometheusSamples.parse(other.scrape()).value("kubelet_node_name", Map.of("node", "node-a")))
                .isNull();
    }

    private static SandboxStatus sandbox(String uid, boolean... running) {
        List<ContainerStatus> containers = new java.util.ArrayList<>();
        for (int i = 0; i < running.length; i++) {
            containers.add(new ContainerStatus(uid + i, "c" + i, 0, running[i], 1, Instant.now(),
                    running[i] ? null : Instant.now(), 0, null, null, null));
        }
        return new SandboxStatus(new Sandbox(uid, null, Path.of("/pods", uid), null), "default", uid, containers);
    }
}
