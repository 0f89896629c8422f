package io.qube.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.cri.RegistryImagesExtension;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resource metrics of a cri node with the real kubectl: the agent measures its containers with containerd's
 * ListContainerStats, so {@code kubectl top pod --containers} shows a cpu-burning container above an idle one, with
 * memory within 20% of what each container's own cgroup accounts, and the node's summary and resource metrics
 * carry each container's figures.
 */
@ExtendWith(RegistryImagesExtension.class)
class CriResourceMetricsIT {

    private static final String BRIDGE = System.getProperty("qube.it.crim-bridge", "qubecrimbr0");
    private static final String ROOT_IP = System.getProperty("qube.it.crim-root", "10.131.0.1");
    private static final Host HOST = new Host("crim-a", System.getProperty("qube.it.crim-netns", "qube-crim-a"),
            System.getProperty("qube.it.crim-ip", "10.131.0.2"),
            System.getProperty("qube.it.crim-cidr", "10.131.1.0/24"));
    private static final String POD_BRIDGE = "qubecrim0";
    /** Where containerd puts a container's memory cgroup (no cgroup parent given: its namespace's). */
    private static final Path MEMORY_CGROUPS = Path.of("/sys/fs/cgroup/memory/k8s.io");
    private static final Duration WAIT = CriHosts.WAIT;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CriHosts cluster;
    private static Kubectl kubectl;
    private static PodLookups pods;

    @BeforeAll
    static void startNodeWithABurnerAndAnIdlePod(RegistryImages images) throws Exception {
        // Sampling every second, so that the agent has a cpu rate by the control plane's first scrapes.
        cluster = CriHosts.start(images, BRIDGE, ROOT_IP, POD_BRIDGE, List.of(HOST),
                List.of("--housekeeping-interval", "1s"));
        kubectl = cluster.kubectl;
        pods = cluster.pods;
        kubectl.ok("apply", "-f", cluster.manifest("pods.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: burner}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: burn
                    image: %2$s
                    command: [sh, -c, 'while :; do :; done']
                    resources: {limits: {cpu: 400m}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: idler}
                spec:
                  nodeName: %1$s
                  containers:
                  - name: hold
                    image: %2$s
                    command: [sh, -c, 'x=$(head -c 30000000 /dev/zero | tr "\\0" a); while true; do sleep 1; done']
                """.formatted(HOST.node(), images.busybox())).toString());
        for (String pod : List.of("burner", "idler")) {
            await().atMost(WAIT).until(() -> pods.condition(pod, "Ready"), "True"::equals);
        }
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void kubectlTopShowsTheBurnerAboveTheIdlePodAndTheCgroupsMemory() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, List<String>> containers = KubectlTop.containers(kubectl, "default");
            assertThat(containers).containsKeys("burner/burn", "idler/hold");
            long burnerCpu = KubectlTop.millis(containers.get("burner/burn").get(2));
            long idleCpu = KubectlTop.millis(containers.get("idler/hold").get(2));
            // The cpu limit (a CFS quota) caps the burner at 0.4 core: it uses most of it.
            assertThat(burnerCpu).isGreaterThan(idleCpu).isBetween(200L, 480L);
            KubectlTop.assertWithin20Percent(KubectlTop.mebibytes(containers.get("idler/hold").get(3)),
                    workingSet("idler", "hold"));
            KubectlTop.assertWithin20Percent(KubectlTop.mebibytes(containers.get("burner/burn").get(3)),
                    workingSet("burner", "burn"));
        });
    }

    @Test
    void theSummaryAndResourceMetricsHaveEachContainersFigures() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode summary = JSON.readTree(kubectl.ok("get", "--raw",
                    "/api/v1/nodes/" + HOST.node() + "/proxy/stats/summary"));
            JsonNode hold = container(summary, "idler");
            assertThat(hold.path("name").asText()).isEqualTo("hold");
            assertThat(hold.path("cpu").path("usageCoreNanoSeconds").asLong()).isPositive();
            // The working set as the container's cgroup has it (not the 30 MB the shell asked for: on a loaded
            // machine the kernel swaps part of an idle container out), and containerd gives usage and rss too.
            assertThat((double) hold.path("memory").path("workingSetBytes").asLong())
                    .isCloseTo(workingSet("idler", "hold"), Percentage.withPercentage(20));
            assertThat(hold.path("memory").path("usageBytes").asLong())
                    .isGreaterThanOrEqualTo(hold.path("memory").path("workingSetBytes").asLong());
            assertThat(hold.path("memory").path("rssBytes").asLong()).isPositive();
            assertThat(container(summary, "burner").path("cpu").path("usageNanoCores").asLong())
                    .isGreaterThan(hold.path("cpu").path("usageNanoCores").asLong());
        });
        String metrics = kubectl.ok("get", "--raw", "/api/v1/nodes/" + HOST.node() + "/proxy/metrics/resource");
        assertThat(metrics).contains(
                "container_cpu_usage_seconds_total{container=\"burn\",namespace=\"default\",pod=\"burner\"} ",
                "container_memory_working_set_bytes{container=\"hold\",namespace=\"default\",pod=\"idler\"} ",
                "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"burner\"} ", "scrape_error 0");
    }

    /** The working set of the container's memory cgroup, as containerd made it, now. */
    private static long workingSet(String pod, String container) throws IOException {
        String id = pods.status(pod, container).getContainerID().substring("containerd://".length());
        return KubectlTop.workingSetV1(MEMORY_CGROUPS.resolve(id));
    }

    private static JsonNode container(JsonNode summary, String pod) {
        for (JsonNode entry : summary.path("pods")) {
            if (entry.path("podRef").path("name").asText().equals(pod)) {
                return entry.path("containers").get(0);
            }
        }
        throw new AssertionError("no pod " + pod + " in the summary: " + summary);
    }
}
