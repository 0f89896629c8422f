package io.qube.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler end to end: the packaged control plane schedules pods onto four simulated nodes (two zones, 2 cpu
 * each) that a real `qube agent --runtime simulated` runs, and each placement rule is observed as a user sees it,
 * through the API and the real kubectl.
 */
class SchedulerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final List<String> NODES = List.of("s-0", "s-1", "s-2", "s-3");

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    private final String namespace = "sched-" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void startClusterOfFourSimulatedNodes() throws Exception {
        cluster = SimulatedCluster.start(4, "s", "--cpu", "2", "--memory", "4Gi", "--max-pods", "20");
        client = cluster.client;
        kubectl = cluster.kubectl;
        assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName()).containsAll(NODES);
        kubectl.ok("label", "nodes", "s-0", "s-1", "topology.kubernetes.io/zone=a");
        kubectl.ok("label", "nodes", "s-2", "s-3", "topology.kubernetes.io/zone=b");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void removePodsAndNodeChanges() throws Exception {
        client.pods().inNamespace(namespace).withGracePeriod(0).delete();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(namespace).list().getItems().isEmpty());
        kubectl.ok("uncordon", "s-0", "s-1", "s-2", "s-3");
        kubectl.ok("label", "nodes", "--all", "disk-");
        kubectl.run("taint", "nodes", "s-3", "dedicated-");
    }

    private Pod create(String name, UnaryOperator<PodBuilder> spec) {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec();
        return client.pods().inNamespace(namespace).resource(spec.apply(builder).build()).create();
    }

    private static UnaryOperator<PodBuilder> requestingCpu(String cpu) {
        return pod -> pod.editSpec().editFirstContainer().withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).endResources().endContainer().endSpec();
    }

    private String nodeOf(String pod) {
        await().atMost(PATIENCE).until(() -> {
            Pod current = client.pods().inNamespace(namespace).withName(pod).get();
            return current.getSpec().getNodeName() != null;
        });
        return client.pods().inNamespace(namespace).withName(pod).get().getSpec().getNodeName();
    }

    /** Waits for the pod's FailedScheduling message and checks it stays unbound with PodScheduled=False. */
    private String unschedulableMessage(String pod) {
        await().atMost(PATIENCE).until(() -> scheduledCondition(pod) != null
                && "False".equals(scheduledCondition(pod).getStatus()));
        PodCondition condition = scheduledCondition(pod);
        assertThat(condition.getReason()).isEqualTo("Unschedulable");
        assertThat(client.pods().inNamespace(namespace).withName(pod).get().getSpec().getNodeName()).isNull();
        await().atMost(PATIENCE).until(() -> !events(pod, "FailedScheduling").isEmpty());
        return condition.getMessage();
    }

    private PodCondition scheduledCondition(String pod) {
        Pod current = client.pods().inNamespace(namespace).withName(pod).get();
        return current.getStatus() == null || current.getStatus().getConditions() == null ? null
                : current.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                .findFirst().orElse(null);
    }

    private List<Event> events(String pod, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void aNodeSelectorPlacesThePodOnAMatchingNodeAndKubectlShowsTheScheduledEvent() throws Exception {
        kubectl.ok("label", "nodes", "s-2", "disk=ssd");
        create("fast", pod -> pod.editSpec().addToNodeSelector("disk", "ssd").endSpec());
        assertThat(nodeOf("fast")).isEqualTo("s-2");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(kubectl.ok("describe", "pod", "fast", "-n", namespace))
                .containsPattern("Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned "
                        + namespace + "/fast to s-2"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(kubectl.ok("get", "pod", "fast", "-n", namespace,
                "--no-headers")).containsPattern("^fast\\s+1/1\\s+Running"));
    }

    @Test
    void requiredAntiAffinitySpreadsReplicasOverNodesAndAFifthWaits() {
        UnaryOperator<PodBuilder> replica = pod -> pod.editMetadata().addToLabels("app", "spread").endMetadata()
                .editSpec().withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNewLabelSelector().addToMatchLabels("app", "spread").endLabelSelector()
                .withTopologyKey("kubernetes.io/hostname").endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity().endSpec();
        Set<String> nodes = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            create("replica-" + i, replica);
        }
        for (int i = 0; i < 4; i++) {
            nodes.add(nodeOf("replica-" + i));
        }
        assertThat(nodes).containsExactlyInAnyOrderElementsOf(NODES);
        create("replica-4", replica);
        assertThat(unschedulableMessage("replica-4")).isEqualTo("0/4 nodes are available: 4 node(s) didn't match pod "
                + "anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for "
                + "incoming pod.");
    }

    @Test
    void aTaintKeepsPodsOffAndATolerationLetsOneOn() throws Exception {
        kubectl.ok("taint", "nodes", "s-3", "dedicated=gpu:NoSchedule");
        UnaryOperator<PodBuilder> onS3 = pod -> pod.editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm().addNewMatchField()
                .withKey("metadata.name").withOperator("In").withValues("s-3").endMatchField().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec();
        create("intolerant", onS3);
        // NodeAffinity's PreFilter narrows a matchFields term to s-3; the other nodes are rejected in its name.
        assertThat(unschedulableMessage("intolerant")).isEqualTo("0/4 nodes are available: 1 node(s) had "
                + "untolerated taint {dedicated: gpu}, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: "
                + "0/4 nodes are available: 4 Preemption is not helpful for scheduling.");
        create("tolerant", pod -> onS3.apply(pod).editSpec().addNewToleration().withKey("dedicated")
                .withOperator("Equal").withValue("gpu").withEffect("NoSchedule").endToleration().endSpec());
        assertThat(nodeOf("tolerant")).isEqualTo("s-3");
        // Pods without the toleration are spread over the other three.
        for (int i = 0; i < 6; i++) {
            create("plain-" + i, UnaryOperator.identity());
            assertThat(nodeOf("plain-" + i)).isNotEqualTo("s-3");
        }
    }

    @Test
    void topologySpreadPutsHalfTheReplicasInEachZone() {
        UnaryOperator<PodBuilder> spread = pod -> pod.editMetadata().addToLabels("app", "zonal").endMetadata()
                .editSpec().addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("topology.kubernetes.io/zone")
                .withWhenUnsatisfiable("DoNotSchedule").withNewLabelSelector().addToMatchLabels("app", "zonal")
                .endLabelSelector().endTopologySpreadConstraint().endSpec();
        Map<String, Integer> perZone = new java.util.HashMap<>();
        for (int i = 0; i < 6; i++) {
            create("zonal-" + i, spread);
            String node = nodeOf("zonal-" + i);
            perZone.merge(node.equals("s-0") || node.equals("s-1") ? "a" : "b", 1, Integer::sum);
            // After each placement the zones differ by at most maxSkew.
            assertThat(Math.abs(perZone.getOrDefault("a", 0) - perZone.getOrDefault("b", 0))).isLessThanOrEqualTo(1);
        }
        assertThat(perZone).containsEntry("a", 3).containsEntry("b", 3);
    }

    @Test
    void aPodTooBigForEveryNodeStaysPendingWithKubernetesMessage() throws Exception {
        create("huge", requestingCpu("64"));
        String expected = "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No "
                + "preemption victims found for incoming pod.";
        assertThat(unschedulableMessage("huge")).isEqualTo(expected);
        assertThat(events("huge", "FailedScheduling").get(0).getMessage()).isEqualTo(expected);
        assertThat(events("huge", "FailedScheduling").get(0).getType()).isEqualTo("Warning");
        assertThat(kubectl.ok("describe", "pod", "huge", "-n", namespace))
                .containsPattern("Warning\\s+FailedScheduling\\s+.*default-scheduler\\s+0/4 nodes are available: 4 "
                        + "Insufficient cpu\\.")
                .containsPattern("PodScheduled\\s+False");
        assertThat(kubectl.ok("get", "pod", "huge", "-n", namespace, "--no-headers")).containsPattern("^huge\\s+0/1\\s+Pending");
    }

    @Test
    void cordonedNodesGetNoPodsAndUncordonLetsAWaitingPodIn() throws Exception {
        kubectl.ok("cordon", "s-0", "s-1", "s-2");
        for (int i = 0; i < 3; i++) {
            create("on-open-" + i, UnaryOperator.identity());
            assertThat(nodeOf("on-open-" + i)).isEqualTo("s-3");
        }
        kubectl.ok("cordon", "s-3");
        create("waiting", UnaryOperator.identity());
        assertThat(unschedulableMessage("waiting")).startsWith("0/4 nodes are available: 4 node(s) were unschedulable.");
        // The node change moves the waiting pod back into the active queue at once (no 5-minute wait).
        kubectl.ok("uncordon", "s-1");
        assertThat(nodeOf("waiting")).isEqualTo("s-1");
    }

    @Test
    void aHighPriorityPodPreemptsALowerOne() throws Exception {
        if (client.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).withName("sched-it-high").get() == null) {
            client.resources(io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass.class).resource(
                    new PriorityClassBuilder().withNewMetadata().withName("sched-it-high").endMetadata()
                            .withValue(1000).build()).create();
        }
        for (int i = 0; i < 4; i++) {
            create("low-" + i, requestingCpu("1500m"));
        }
        Set<String> lowNodes = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            lowNodes.add(nodeOf("low-" + i));
        }
        assertThat(lowNodes).containsExactlyInAnyOrderElementsOf(NODES);
        Pod high = create("high", pod -> requestingCpu("1").apply(pod).editSpec()
                .withPriorityClassName("sched-it-high").endSpec());
        assertThat(high.getSpec().getPriority()).isEqualTo(1000);
        String node = nodeOf("high");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(kubectl.ok("get", "pod", "high", "-n", namespace,
                "--no-headers")).containsPattern("^high\\s+1/1\\s+Running"));
        List<Pod> remaining = client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("low-")).toList();
        assertThat(remaining).hasSize(3).noneMatch(p -> node.equals(p.getSpec().getNodeName()));
        assertThat(client.v1().events().inNamespace(namespace).list().getItems())
                .anyMatch(e -> "Preempted".equals(e.getReason())
                        && e.getMessage().equals("Preempted by pod " + high.getMetadata().getUid() + " on node " + node));
        assertThat(kubectl.ok("get", "--raw", "/q/metrics")).containsPattern("scheduler_preemption_attempts_total\\S* [1-9]");
    }
}
