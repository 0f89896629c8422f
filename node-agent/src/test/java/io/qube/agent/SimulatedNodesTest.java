package io.qube.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.node.LeaseRenewer;
import io.qube.agent.node.NodeProfile;
import io.qube.agent.node.NodeRegistration;
import io.qube.agent.node.NodeStatusReporter;
import io.qube.agent.runtime.simulated.SimulatedNodes;
import io.qube.agent.runtime.simulated.SimulatedPods;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Simulated nodes against the real control plane: they register as Ready nodes with the kubelet's labels, capacity
 * and info, renew their Leases, and run the pods bound to them: Running and Ready, Succeeded or Failed after their
 * simulated run, and gone for good once deleted.
 */
class SimulatedNodesTest {

    private static final int NODES = 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static QubeServer qube;
    private static KubernetesClient client;
    private static SimulatedNodes agent;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        // Without node IPAM: a Node registered without a pod CIDR keeps none until an agent claims one.
        qube = QubeServer.start(Map.of("qube.controllers.node-ipam.enabled", "false"));
        client = qube.client();
        vertx = Vertx.vertx();
        agent = SimulatedNodes.start(client, vertx, SimulatedNodes.profiles("sim", NODES, "4", "16Gi", 110,
                Map.of("pool", "test")), Duration.ofSeconds(1), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (client != null) {
            client.close();
        }
        if (qube != null) {
            qube.close();
        }
    }

    @Test
    void aNodeRegisteredWithoutAPodCidrIsGivenTheAgentsAndKeepsItThen() {
        NodeProfile none = SimulatedNodes.profiles("cidr", 1, "4", "16Gi", 110, Map.of()).get(0);
        NodeRegistration.register(client, none);
        Node unclaimed = client.nodes().withName(none.name()).get();
        assertThat(unclaimed.getSpec() == null ? List.of() : unclaimed.getSpec().getPodCIDRs()).isEmpty();

        NodeRegistration.register(client, withPodCidr(none, "10.91.7.0/24"));
        Node claimed = client.nodes().withName(none.name()).get();
        assertThat(claimed.getSpec().getPodCIDR()).isEqualTo("10.91.7.0/24");
        assertThat(claimed.getSpec().getPodCIDRs()).containsExactly("10.91.7.0/24");

        // An agent started again with another range cannot move the Node's (the apiserver refuses): it registers.
        NodeRegistration.register(client, withPodCidr(none, "10.91.8.0/24"));
        assertThat(client.nodes().withName(none.name()).get().getSpec().getPodCIDRs())
                .containsExactly("10.91.7.0/24");
        client.nodes().withName(none.name()).delete();
    }

    private static NodeProfile withPodCidr(NodeProfile profile, String podCidr) {
        return new NodeProfile(profile.name(), profile.cpu(), profile.memory(), profile.maxPods(),
                profile.internalIp(), profile.labels(), profile.runtime(), podCidr, profile.reserved());
    }

    @Test
    void nodeStatusIsReportedAgainWithFreshHeartbeatsAndTheSameTransitionTimes() {
        Node before = client.nodes().withName("sim-3").get();
        NodeCondition readyBefore = ready(before);
        try (NodeStatusReporter reporter = new NodeStatusReporter(client, SimulatedNodes.profiles("sim", 4, "4",
                "16Gi", 110, Map.of("pool", "test")), 10250)) {
            reporter.start(Duration.ofMillis(300));
            await().atMost(DEADLINE).until(() -> ZonedDateTime.parse(ready(client.nodes().withName("sim-3").get())
                    .getLastHeartbeatTime()).isAfter(ZonedDateTime.parse(readyBefore.getLastHeartbeatTime())));
        }
        NodeCondition readyAfter = ready(client.nodes().withName("sim-3").get());
        assertThat(readyAfter.getStatus()).isEqualTo("True");
        assertThat(readyAfter.getLastTransitionTime()).isEqualTo(readyBefore.getLastTransitionTime());
        assertThat(client.nodes().withName("sim-3").get().getMetadata().getLabels()).containsEntry("pool", "test");
    }

    @Test
    void aNodeMarkedUnknownIsReportedReadyAgainWithoutWaitingForTheFullReport() {
        client.nodes().withName("sim-2").editStatus(node -> {
            ready(node).setStatus("Unknown");
            ready(node).setReason("NodeStatusUnknown");
            return node;
        });
        try (NodeStatusReporter reporter = new NodeStatusReporter(client, SimulatedNodes.profiles("sim", 4, "4",
                "16Gi", 110, Map.of("pool", "test")), 10250)) {
            // The full report is an hour away: only the check against the API's view can set it right.
            reporter.start(Duration.ofHours(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(ready(client.nodes().withName("sim-2")
                    .get()).getStatus()));
        }
    }

    private static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
    }

    @Test
    void nodesRegisterReadyWithTheKubeletsFields() {
        List<Node> nodes = client.nodes().withLabel("pool", "test").list().getItems();
        assertThat(nodes).hasSize(NODES);
        Node node = client.nodes().withName("sim-7").get();
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "sim-7")
                .containsEntry("kubernetes.io/os", "linux").containsKey("kubernetes.io/arch");
        assertThat(node.getStatus().getCapacity().get("pods").toString()).isEqualTo("110");
        assertThat(node.getStatus().getAllocatable().get("cpu").toString()).isEqualTo("4");
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0");
        assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("simulated://0.1.0");
        // Every simulated node advertises the port of the agent's one endpoint, where its own figures are served.
        assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(agent.port())
                .isNotEqualTo(10250);
        assertThat(node.getStatus().getAddresses()).extracting(a -> a.getType()).contains("InternalIP", "Hostname");
        assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType, NodeCondition::getStatus)
                .contains(org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                        org.assertj.core.groups.Tuple.tuple("MemoryPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("DiskPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("PIDPressure", "False"));
    }

    @Test
    void everyNodeRenewsItsLease() {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(client.leases().inNamespace(LeaseRenewer.NAMESPACE)
                .list().getItems()).extracting(l -> l.getMetadata().getName()).contains("sim-0", "sim-19"));
        Lease first = client.leases().inNamespace(LeaseRenewer.NAMESPACE).withName("sim-3").get();
        assertThat(first.getSpec().getHolderIdentity()).isEqualTo("sim-3");
        assertThat(first.getMetadata().getOwnerReferences()).extracting(r -> r.getKind() + "/" + r.getName())
                .containsExactly("Node/sim-3");
        ZonedDateTime renewed = first.getSpec().getRenewTime();
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(client.leases().inNamespace(LeaseRenewer.NAMESPACE)
                .withName("sim-3").get().getSpec().getRenewTime()).isAfter(renewed));
    }

    @Test
    void boundPodsRunAndAreReady() {
        for (int i = 0; i < 30; i++) {
            client.pods().inNamespace("default").resource(pod("web-" + i, "sim-" + (i % NODES), "Always", Map.of()))
                    .create();
        }
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(client.pods().inNamespace("default")
                .withLabel("app", "sim-test").list().getItems().stream()
                .filter(p -> p.getMetadata().getName().startsWith("web-"))
                .filter(p -> "Running".equals(p.getStatus().getPhase()) && ready(p))).hasSize(30));
        Pod pod = client.pods().inNamespace("default").withName("web-5").get();
        assertThat(pod.getStatus().getHostIP()).isEqualTo(client.nodes().withName("sim-5").get().getStatus()
                .getAddresses().get(0).getAddress());
        assertThat(pod.getStatus().getPodIP()).startsWith("10.");
        assertThat(pod.getStatus().getStartTime()).isNotBlank();
        assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(status -> {
            assertThat(status.getReady()).isTrue();
            assertThat(status.getState().getRunning().getStartedAt()).isNotBlank();
            assertThat(status.getContainerID()).startsWith("sim://");
        });
        assertThat(pod.getStatus().getConditions()).extracting(PodCondition::getType).contains("PodScheduled",
                "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");
    }

    @Test
    void aRunningPodMarkedNotReadyBySomeoneElseIsReadyAgain() {
        client.pods().inNamespace("default").resource(pod("marked", "sim-1", "Always", Map.of())).create();
        await().atMost(DEADLINE).until(() -> ready(client.pods().inNamespace("default").withName("marked").get()));

        // What the node controller does to the pods of a node it thinks silent.
        client.pods().inNamespace("default").withName("marked").editStatus(p -> {
            p.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                    .forEach(c -> c.setStatus("False"));
            return p;
        });

        await().atMost(DEADLINE).until(() -> ready(client.pods().inNamespace("default").withName("marked").get()));
    }

    @Test
    void podsThatDoNotRestartEndWithTheirExitCode() {
        client.pods().inNamespace("default").resource(pod("job-ok", "sim-1", "Never",
                Map.of(SimulatedPods.RUN_SECONDS, "0.5"))).create();
        client.pods().inNamespace("default").resource(pod("job-fails", "sim-2", "OnFailure",
                Map.of(SimulatedPods.RUN_SECONDS, "0.5", SimulatedPods.EXIT_CODE, "3"))).create();
        await().atMost(DEADLINE).untilAsserted(() -> {
            Pod ok = client.pods().inNamespace("default").withName("job-ok").get();
            assertThat(ok.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(ok.getStatus().getContainerStatuses().get(0).getState().getTerminated().getReason())
                    .isEqualTo("Completed");
            Pod failed = client.pods().inNamespace("default").withName("job-fails").get();
            assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(failed.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
                    .isEqualTo(3);
        });
    }

    @Test
    void aDeletedPodIsRemovedByItsNode() {
        client.pods().inNamespace("default").resource(pod("short-lived", "sim-4", "Always", Map.of())).create();
        await().atMost(DEADLINE).until(() -> "Running".equals(client.pods().inNamespace("default")
                .withName("short-lived").get().getStatus().getPhase()));
        // A bound, running pod winds down for its grace period; its node then deletes it for good.
        client.pods().inNamespace("default").withName("short-lived").withGracePeriod(30).delete();
        await().atMost(DEADLINE).until(() -> client.pods().inNamespace("default").withName("short-lived").get()
                == null);
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static Pod pod(String name, String node, String restartPolicy, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "sim-test")
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy(restartPolicy)
                .addNewContainer().withName("main").withImage("busybox").endContainer().endSpec().build();
    }
}
