package io.qube.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.agent.metrics.PrometheusSamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Simulated nodes answer as kubelets do for metrics: the control plane and a real {@code qube agent --runtime
 * simulated --nodes 3} run pods with requests; with the real kubectl, {@code kubectl top node} lists every
 * simulated node with its simulated use, {@code kubectl top pod} the pods at half their cpu requests, and the
 * apiserver's nodes/proxy reaches each node's own /metrics, /healthz and /stats/summary.
 */
class SimulatedResourceMetricsIT {

    private static final String PREFIX = "simstats";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SimulatedCluster cluster;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        // Short intervals so that the metrics API has figures within seconds (10 s and 15 s by default).
        cluster = SimulatedCluster.start(Map.of("qube.metrics.resolution", "2s", "qube.metrics.scrape-timeout", "2s"),
                3, PREFIX);
        work = Files.createTempDirectory("qube-simstats-it");
        // Two pods on node 0, one on node 1, none on node 2: each node's figures must be its own.
        cluster.kubectl.ok("apply", "-f", Files.writeString(work.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: big}
                spec:
                  nodeName: %1$s-0
                  containers:
                  - {name: app, image: busybox, resources: {requests: {cpu: 400m, memory: 200Mi}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: small}
                spec:
                  nodeName: %1$s-0
                  containers:
                  - {name: app, image: busybox, resources: {requests: {cpu: 100m, memory: 64Mi}}}
                  - {name: side, image: busybox}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: lone}
                spec:
                  nodeName: %1$s-1
                  containers:
                  - {name: app, image: busybox, resources: {requests: {cpu: "1", memory: 1Gi}}}
                """.formatted(PREFIX)).toString());
        for (String pod : List.of("big", "small", "lone")) {
            await().atMost(WAIT).until(() -> {
                var found = cluster.client.pods().inNamespace("default").withName(pod).get();
                return found != null && found.getStatus() != null && "Running".equals(found.getStatus().getPhase());
            });
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (work != null) {
                ProcessCluster.deleteTree(work);
            }
        }
    }

    @Test
    void kubectlTopShowsEverySimulatedNodeAndThePodsAtHalfTheirRequests() {
        await().atMost(WAIT).untilAsserted(() -> {
            String top = cluster.kubectl.ok("top", "node");
            // node 0: system 50m + 200m + 50m + 5m; node 1: 50m + 500m; node 2: the system share alone.
            assertThat(millis(row(top, PREFIX + "-0").get(1))).isEqualTo(305);
            assertThat(millis(row(top, PREFIX + "-1").get(1))).isEqualTo(550);
            assertThat(millis(row(top, PREFIX + "-2").get(1))).isEqualTo(50);
            // 128Mi + 100Mi + 32Mi + 8Mi
            assertThat(row(top, PREFIX + "-0").get(3)).isEqualTo("268Mi");
            assertThat(row(top, PREFIX + "-2").get(3)).isEqualTo("128Mi");
        });
        await().atMost(WAIT).untilAsserted(() -> {
            String top = cluster.kubectl.ok("top", "pod", "-n", "default");
            assertThat(row(top, "big")).containsExactly("big", "200m", "100Mi");
            assertThat(row(top, "small")).containsExactly("small", "55m", "40Mi");
            assertThat(row(top, "lone")).containsExactly("lone", "500m", "512Mi");
        });
    }

    @Test
    void eachNodesMetricsAndHealthAreReachedThroughNodesProxy() {
        await().atMost(WAIT).untilAsserted(() -> {
            PrometheusSamples zero = PrometheusSamples.parse(cluster.kubectl.ok("get", "--raw",
                    "/api/v1/nodes/" + PREFIX + "-0/proxy/metrics"));
            assertThat(zero.value("kubelet_node_name", Map.of("node", PREFIX + "-0"))).isEqualTo(1.0);
            assertThat(zero.value("kubelet_running_pods")).isEqualTo(2.0);
            assertThat(zero.value("kubelet_running_containers", Map.of("container_state", "running")))
                    .isEqualTo(3.0);
            assertThat(zero.value("kubelet_started_pods_total")).isEqualTo(2.0);
            PrometheusSamples two = PrometheusSamples.parse(cluster.kubectl.ok("get", "--raw",
                    "/api/v1/nodes/" + PREFIX + "-2/proxy/metrics"));
            assertThat(two.value("kubelet_node_name", Map.of("node", PREFIX + "-2"))).isEqualTo(1.0);
            assertThat(two.value("kubelet_running_pods")).isEqualTo(0.0);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.kubectl.ok("get", "--raw",
                "/api/v1/nodes/" + PREFIX + "-1/proxy/healthz")).isEqualTo("ok"));
    }

    @Test
    void eachNodesSummaryAndResourceMetricsAreItsOwn() throws Exception {
        JsonNode summary = JSON.readTree(cluster.kubectl.ok("get", "--raw",
                "/api/v1/nodes/" + PREFIX + "-1/proxy/stats/summary"));
        assertThat(summary.path("node").path("nodeName").asText()).isEqualTo(PREFIX + "-1");
        assertThat(summary.path("node").path("cpu").path("usageNanoCores").asLong()).isEqualTo(550_000_000L);
        assertThat(summary.path("node").path("memory").path("availableBytes").asLong())
                .isEqualTo((16L << 30) - (128L << 20) - (512L << 20));
        assertThat(summary.path("pods")).singleElement().satisfies(pod -> {
            assertThat(pod.path("podRef").path("name").asText()).isEqualTo("lone");
            assertThat(pod.path("podRef").path("uid").asText()).isEqualTo(cluster.client.pods()
                    .inNamespace("default").withName("lone").get().getMetadata().getUid());
            assertThat(pod.path("containers").get(0).path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
        });
        String resource = cluster.kubectl.ok("get", "--raw", "/api/v1/nodes/" + PREFIX + "-0/proxy/metrics/resource");
        assertThat(resource).contains(
                "container_cpu_usage_seconds_total{container=\"side\",namespace=\"default\",pod=\"small\"} ",
                "pod_memory_working_set_bytes{namespace=\"default\",pod=\"big\"} " + (100L << 20) + " ",
                "node_cpu_usage_seconds_total ", "scrape_error 0").doesNotContain("pod=\"lone\"");
    }

    /** A table row of kubectl's output by its first cell, split into cells. */
    private static List<String> row(String table, String first) {
        for (String line : table.strip().split("\n")) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            if (cells.get(0).equals(first)) {
                return cells;
            }
        }
        throw new AssertionError("no row " + first + " in\n" + table);
    }

    private static long millis(String cpu) {
        return cpu.endsWith("m") ? Long.parseLong(cpu.substring(0, cpu.length() - 1)) : Long.parseLong(cpu) * 1000;
    }
}
