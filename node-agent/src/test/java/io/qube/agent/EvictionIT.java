package io.qube.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet's resource accounting on a real node (process runtime): reservations come off the allocatable, and
 * under memory pressure the node says so, refuses BestEffort pods and evicts its pods BestEffort first, then
 * Burstable, then Guaranteed. The pressure is made with a threshold no machine meets (memory.available below
 * 1000Ti), set on an agent restarted over pods that already run.
 */
class EvictionIT {

    private static final String NODE = "eviction-node";
    private static final String BRIDGE = System.getProperty("qube.it.eviction-bridge", "qubeevict0");
    private static final String CIDR = System.getProperty("qube.it.eviction-cidr", "10.77.12.0/24");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void underMemoryPressureTheNodeEvictsBestEffortThenBurstableThenGuaranteed() throws Exception {
        Path work = Files.createTempDirectory("qube-eviction-it");
        Path state = work.resolve("state");
        try (QubeServer qube = QubeServer.start(); KubernetesClient client = qube.client()) {
            Kubectl kubectl = new Kubectl(qube.kubeconfig());
            PodLookups pods = new PodLookups(client, "default");
            QubeAgent agent = QubeAgent.start(qube.kubeconfig(), NODE, state, BRIDGE, CIDR,
                    "--system-reserved", "cpu=500m,memory=1Gi", "--kube-reserved", "memory=512Mi");
            try {
                await().atMost(WAIT).until(() -> PodLookups.ready(client.nodes().withName(NODE).get()));
                Node node = client.nodes().withName(NODE).get();
                // allocatable = capacity - system - kube - the 100Mi hard eviction threshold
                assertThat(bytes(node.getStatus().getAllocatable().get("memory")))
                        .isEqualTo(bytes(node.getStatus().getCapacity().get("memory")) - (1024 + 512 + 100) * MI);
                assertThat(Quantity.getAmountInBytes(node.getStatus().getAllocatable().get("cpu")))
                        .isEqualByComparingTo(Quantity.getAmountInBytes(node.getStatus().getCapacity().get("cpu"))
                                .subtract(new java.math.BigDecimal("0.5")));

                run(kubectl, "best-effort", null);
                run(kubectl, "burstable", "{\"requests\":{\"cpu\":\"10m\"}}");
                run(kubectl, "guaranteed", "{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"},"
                        + "\"limits\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}");
                for (String pod : new String[] {"best-effort", "burstable", "guaranteed"}) {
                    await().atMost(WAIT).until(() -> pods.condition(pod, "Ready"), "True"::equals);
                }
                assertThat(pods.pod("guaranteed").getStatus().getQosClass()).isEqualTo("Guaranteed");
            } finally {
                agent.close();
            }
            // The same node again, with pods running and a threshold it cannot meet.
            agent = QubeAgent.start(qube.kubeconfig(), NODE, state, BRIDGE, CIDR, "--eviction-hard",
                    "memory.available<1000Ti", "--eviction-interval", "3s");
            try {
                await().atMost(WAIT).until(() -> condition(client.nodes().withName(NODE).get(), "MemoryPressure"),
                        "True"::equals);
                await().atMost(WAIT).until(() -> pods.phase("best-effort"), "Failed"::equals);
                // One pod per interval: the Guaranteed pod is still running when the BestEffort one is evicted.
                assertThat(pods.phase("guaranteed")).isEqualTo("Running");
                Pod evicted = pods.pod("best-effort");
                assertThat(evicted.getStatus().getReason()).isEqualTo("Evicted");
                assertThat(evicted.getStatus().getMessage()).startsWith("The node was low on resource: memory. "
                        + "Threshold quantity: 1000Ti, available: ");
                assertThat(evicted.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("DisruptionTarget");
                    assertThat(c.getReason()).isEqualTo("TerminationByKubelet");
                });
                assertThat(evicted.getStatus().getContainerStatuses().get(0).getState().getTerminated())
                        .isNotNull();
                assertThat(pods.events("best-effort")).extracting(Event::getReason).contains("Evicted");
                assertThat(kubectl.ok("describe", "node", NODE)).containsPattern(
                        "MemoryPressure\\s+True.*KubeletHasInsufficientMemory");
                // The node lifecycle controller taints the node by its condition, as Kubernetes' does.
                await().atMost(WAIT).untilAsserted(() -> assertThat(client.nodes().withName(NODE).get().getSpec()
                        .getTaints()).anySatisfy(taint -> {
                            assertThat(taint.getKey()).isEqualTo("node.kubernetes.io/memory-pressure");
                            assertThat(taint.getEffect()).isEqualTo("NoSchedule");
                        }));

                await().atMost(WAIT).until(() -> pods.phase("guaranteed"), "Failed"::equals);
                assertThat(evictedAt(pods.pod("burstable"))).isBefore(evictedAt(pods.pod("guaranteed")));

                // A BestEffort pod is refused while the pressure lasts.
                run(kubectl, "late", null);
                await().atMost(WAIT).until(() -> pods.phase("late"), "Failed"::equals);
                assertThat(pods.pod("late").getStatus().getReason()).isEqualTo("Evicted");
                assertThat(pods.pod("late").getStatus().getMessage())
                        .isEqualTo("Pod was rejected: The node had condition: [MemoryPressure]. ");

                client.pods().inNamespace("default").withGracePeriod(0).delete();
                await().atMost(WAIT).untilAsserted(() -> {
                    try (var left = Files.list(state.resolve("pods"))) {
                        assertThat(left.toList()).isEmpty();
                    }
                });
            } finally {
                agent.close();
            }
        } finally {
            new ProcessBuilder("ip", "link", "del", BRIDGE).start().waitFor();
            ProcessCluster.keepLogs(work);
            ProcessCluster.deleteTree(work);
        }
    }

    private static final long MI = 1024 * 1024;

    private static long bytes(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).longValueExact();
    }

    private static void run(Kubectl kubectl, String name, String resources) throws Exception {
        String overrides = "{\"spec\":{\"nodeName\":\"" + NODE + "\",\"containers\":[{\"name\":\"" + name
                + "\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",\"while true; do sleep 1; done\"]"
                + (resources == null ? "" : ",\"resources\":" + resources) + "}]}}";
        kubectl.ok("run", name, "--image=busybox", "--overrides=" + overrides);
    }

    private static String condition(Node node, String type) {
        return node == null ? null : node.getStatus().getConditions().stream().filter(c -> c.getType().equals(type))
                .map(c -> c.getStatus()).findFirst().orElse(null);
    }

    private static Instant evictedAt(Pod pod) {
        return pod.getStatus().getConditions().stream().filter(c -> c.getType().equals("DisruptionTarget"))
                .map(PodCondition::getLastTransitionTime).map(Instant::parse).findFirst().orElseThrow();
    }
}
