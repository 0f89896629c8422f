package io.qube.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resource metrics end to end with the real kubectl: a process-runtime node runs a cpu-burning pod and an idle pod
 * holding some memory; the agent's summary and resource metrics are read through the apiserver's nodes/proxy, and
 * {@code kubectl top node} and {@code kubectl top pod --containers} show the burner's cpu above the idle pod's and
 * memory within 20% of what the containers' cgroups account.
 */
class ResourceMetricsIT {

    private static final String NODE = "resm-0";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    @BeforeAll
    static void startNode() throws Exception {
        // Short intervals so that rates are known within seconds (10 s and 15 s by default).
        cluster = ProcessCluster.start(Map.of("qube.metrics.resolution", "2s", "qube.metrics.scrape-timeout", "2s"),
                1, "resm", new ProcessCluster.Network("resm", "10.121."), "--housekeeping-interval", "1s");
        client = cluster.client;
        kubectl = cluster.kubectl;
        kubectl.ok("apply", "-f", Files.writeString(cluster.work().resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: burner, labels: {load: busy}}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: burn
                    image: busybox
                    command: [sh, -c, 'while :; do :; done']
                    resources: {limits: {cpu: 400m}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: idler, labels: {load: idle}}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: hold
                    image: busybox
                    command: [sh, -c, 'x=$(head -c 30000000 /dev/zero | tr "\\0" a); while true; do sleep 1; done']
                """.formatted(NODE)).toString());
        for (String pod : List.of("burner", "idler")) {
            await().atMost(WAIT).until(() -> running(client.pods().inNamespace("default").withName(pod).get()));
        }
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSummaryAndResourceMetricsAreReadThroughNodesProxy() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode summary = JSON.readTree(kubectl.ok("get", "--raw",
                    "/api/v1/nodes/" + NODE + "/proxy/stats/summary"));
            assertThat(summary.path("node").path("nodeName").asText()).isEqualTo(NODE);
            assertThat(summary.path("node").path("cpu").path("usageNanoCores").asLong()).isPositive();
            assertThat(summary.path("node").path("memory").path("workingSetBytes").asLong()).isPositive();
            JsonNode burner = pod(summary, "burner");
            assertThat(burner.path("podRef").path("uid").asText()).isEqualTo(uid("burner"));
            JsonNode burn = burner.path("containers").get(0);
            assertThat(burn.path("name").asText()).isEqualTo("burn");
            assertThat(burn.path("startTime").asText()).isNotEmpty();
            // The cpu limit caps the burner at 0.4 core: it uses most of it.
            assertThat(burn.path("cpu").path("usageNanoCores").asLong()).isBetween(200_000_000L, 480_000_000L);
            assertThat(burner.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
        });
        String metrics = kubectl.ok("get", "--raw", "/api/v1/nodes/" + NODE + "/proxy/metrics/resource");
        assertThat(metrics).contains("# TYPE container_cpu_usage_seconds_total counter",
                "container_cpu_usage_seconds_total{container=\"burn\",namespace=\"default\",pod=\"burner\"} ",
                "container_memory_working_set_bytes{container=\"hold\",namespace=\"default\",pod=\"idler\"} ",
                "container_start_time_seconds{container=\"hold\",namespace=\"default\",pod=\"idler\"} ",
                "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"burner\"} ",
                "pod_memory_working_set_bytes{namespace=\"default\",pod=\"idler\"} ",
                "node_cpu_usage_seconds_total ", "node_memory_working_set_bytes ", "scrape_error 0");
    }

    @Test
    void kubectlTopShowsTheNodeAndTheBurnerAboveTheIdlePod() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            String top = kubectl.ok("top", "node");
            assertThat(top).contains("CPU(cores)", "MEMORY(bytes)");
            List<String> row = KubectlTop.row(top, NODE);
            assertThat(row.get(1)).matches("\\d+m");
            assertThat(row.get(3)).matches("\\d+Mi");
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, List<String>> containers = KubectlTop.containers(kubectl, "default");
            assertThat(containers).containsKeys("burner/burn", "idler/hold");
            long burnerCpu = KubectlTop.millis(containers.get("burner/burn").get(2));
            long idleCpu = KubectlTop.millis(containers.get("idler/hold").get(2));
            assertThat(burnerCpu).isGreaterThan(idleCpu).isGreaterThanOrEqualTo(200);
            // Memory as the cgroup accounts it (usage less inactive files), read at about the same time.
            KubectlTop.assertWithin20Percent(KubectlTop.mebibytes(containers.get("idler/hold").get(3)),
                    workingSet("idler", "hold"));
            KubectlTop.assertWithin20Percent(KubectlTop.mebibytes(containers.get("burner/burn").get(3)),
                    workingSet("burner", "burn"));
        });
        String selected = kubectl.ok("top", "pod", "-l", "load=busy", "-n", "default");
        assertThat(selected).contains("burner").doesNotContain("idler");
    }

    @Test
    void thePodMetricsApiSelectsByLabelAndGetsOnePod() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode one = JSON.readTree(kubectl.ok("get", "--raw",
                    "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idler"));
            assertThat(one.path("kind").asText()).isEqualTo("PodMetrics");
            assertThat(one.path("metadata").path("labels").path("load").asText()).isEqualTo("idle");
            assertThat(one.path("window").asText()).isEqualTo("2s");
            long bytes = memoryBytes(one.path("containers").get(0).path("usage").path("memory").asText());
            long cgroup = workingSet("idler", "hold");
            assertThat((double) bytes).isCloseTo(cgroup, org.assertj.core.data.Percentage.withPercentage(20));
        });
        JsonNode busy = JSON.readTree(kubectl.ok("get", "--raw",
                "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=load%3Dbusy"));
        assertThat(busy.path("items")).hasSize(1);
        assertThat(busy.path("items").get(0).path("metadata").path("name").asText()).isEqualTo("burner");
        JsonNode node = JSON.readTree(kubectl.ok("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes/" + NODE));
        assertThat(node.path("usage").path("cpu").asText()).endsWith("n");
    }

    /** The container's working set as its cgroup accounts it now (v1 memory hierarchy or v2). */
    private static long workingSet(String pod, String container) throws IOException {
        String key = container + "_0";
        Path v1 = Path.of("/sys/fs/cgroup/memory/qube", uid(pod), key);
        return Files.isDirectory(v1) ? KubectlTop.workingSetV1(v1)
                : KubectlTop.workingSetV2(Path.of("/sys/fs/cgroup/qube", uid(pod), key));
    }

    private static long memoryBytes(String quantity) {
        return quantity.endsWith("Ki") ? Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024
                : Long.parseLong(quantity);
    }

    private static JsonNode pod(JsonNode summary, String name) {
        for (JsonNode pod : summary.path("pods")) {
            if (pod.path("podRef").path("name").asText().equals(name)) {
                return pod;
            }
        }
        throw new AssertionError("no pod " + name + " in the summary: " + summary);
    }

    private static String uid(String pod) {
        return client.pods().inNamespace("default").withName(pod).get().getMetadata().getUid();
    }

    private static boolean running(Pod pod) {
        return pod != null && "Running".equals(pod.getStatus().getPhase());
    }
}
