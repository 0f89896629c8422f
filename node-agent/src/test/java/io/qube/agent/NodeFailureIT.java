package io.qube.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose agent is killed, end to end: the packaged control plane with the node grace period lowered to 15 s
 * (the agents renew their Leases every 2 s) and the default unreachable toleration to
 * 2 s, two simulated nodes in one agent and a third in another. When
 * the third's agent is SIGKILLed, its node turns Unknown and is tainted unreachable, and the Deployment's pods that
 * ran there are replaced on the other nodes within 60 s; when its agent comes back, the taints go and the old pods,
 * which nothing could confirm gone while the node was silent, are removed.
 */
class NodeFailureIT {

    /** A silent node is Unknown after 15 s, and its pods' default tolerations of that last 2 s. */
    static final Map<String, String> FAST_NODE_LIFECYCLE = Map.of(
            "qube.controllers.node-lifecycle.monitor-grace-period", "15s",
            "qube.controllers.node-lifecycle.monitor-period", "1s",
            "qube.apiserver.default-unreachable-toleration-seconds", "2",
            "qube.apiserver.default-not-ready-toleration-seconds", "2");
    private static final Duration REPLACEMENT = Duration.ofSeconds(60);
    private static final String NAMESPACE = "default";
    private static final String DOOMED = "nfx-0";

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Path doomedLog;
    private static Process doomedAgent;

    @BeforeAll
    static void startClusterWithAThirdNodeOfItsOwn() throws Exception {
        cluster = SimulatedCluster.start(FAST_NODE_LIFECYCLE, 2, "nf", "--cpu", "4", "--memory", "8Gi",
                "--lease-interval", "2s");
        client = cluster.client;
        doomedLog = Files.createTempFile("nfx-agent", ".log");
        doomedAgent = startDoomedAgent();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.nodes().list().getItems())
                .hasSize(3));
    }

    private static Process startDoomedAgent() throws Exception {
        return cluster.startAgent(1, "nfx", doomedLog, "--cpu", "4", "--memory", "8Gi", "--lease-interval", "2s");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            if (doomedAgent != null) {
                doomedAgent.destroy();
                assertThat(doomedAgent.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(doomedLog)).isTrue();
            }
            client.apps().deployments().inNamespace(NAMESPACE).delete();
            Files.deleteIfExists(doomedLog);
        } finally {
            cluster.close();
        }
    }

    @Test
    void aKilledAgentsPodsRunElsewhereAndItsNodeRecoversWhenItComesBack() throws Exception {
        // Preferred anti-affinity spreads the six pods over the three nodes, and still lets the replacements onto two.
        client.apps().deployments().inNamespace(NAMESPACE).resource(spreadWeb(6)).create();
        cluster.kubectl.ok("rollout", "status", "deployment/web", "--timeout=80s");
        List<String> stranded = podsOn(DOOMED).stream().map(p -> p.getMetadata().getName()).toList();
        assertThat(stranded).as("pods on %s among %s", DOOMED, client.pods().inNamespace(NAMESPACE)
                .withLabel("app", "web").list().getItems().stream().map(p -> p.getSpec().getNodeName()).toList())
                .isNotEmpty();

        doomedAgent.destroyForcibly().waitFor();
        doomedAgent = null;

        await().atMost(REPLACEMENT).untilAsserted(() -> {
            List<Pod> ready = readyPods();
            assertThat(ready).hasSize(6);
            assertThat(ready).noneMatch(p -> DOOMED.equals(p.getSpec().getNodeName()));
        });
        Node silent = client.nodes().withName(DOOMED).get();
        assertThat(ready(silent)).isEqualTo("Unknown");
        assertThat(silent.getSpec().getTaints()).extracting(t -> t.getKey() + ":" + t.getEffect())
                .contains("node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule");
        assertThat(podsOn(DOOMED)).allMatch(p -> p.getMetadata().getDeletionTimestamp() != null);

        doomedAgent = startDoomedAgent();

        await().atMost(REPLACEMENT).untilAsserted(() -> {
            Node back = client.nodes().withName(DOOMED).get();
            assertThat(ready(back)).isEqualTo("True");
            assertThat(back.getSpec().getTaints()).isEmpty();
            assertThat(podsOn(DOOMED)).extracting(p -> p.getMetadata().getName()).doesNotContainAnyElementsOf(stranded);
        });
    }

    /**
     * The Deployment "web" of {@code replicas} pods running {@code sleep} (on process-runtime nodes too), whose
     * preferred anti-affinity spreads them over the nodes and still lets replacements onto fewer.
     */
    static Deployment spreadWeb(int replicas) {
        return new DeploymentBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100).withNewPodAffinityTerm()
                .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector().addToMatchLabels("app", "web")
                .endLabelSelector().endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity().addNewContainer().withName("nginx").withImage("nginx:1.27")
                .withCommand("sleep", "3600").endContainer().endSpec().endTemplate().endSpec().build();
    }

    static List<Pod> podsOn(KubernetesClient client, String node) {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName())).toList();
    }

    private static List<Pod> podsOn(String node) {
        return podsOn(client, node);
    }

    private static List<Pod> readyPods() {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                        && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    private static String ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }
}
