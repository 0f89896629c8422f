package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DaemonSets as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler and
 * DaemonSet controller) and three simulated nodes of a real `qube agent --runtime simulated`. Apply, rollout
 * status, set image, rollout history, undo through a ControllerRevision, and a node that joins later.
 */
class DaemonSetsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String NAMESPACE = "default";
    private static final String MANIFEST = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: logs
            spec:
              selector:
                matchLabels: {app: logs}
              template:
                metadata:
                  labels: {app: logs}
                spec:
                  containers:
                  - name: shipper
                    image: fluent-bit:3.1
            """;

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    @BeforeAll
    static void startClusterOfThreeSimulatedNodes() throws Exception {
        cluster = SimulatedCluster.start(3, "ds", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
        client = cluster.client;
        kubectl = cluster.kubectl;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            client.apps().daemonSets().inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        } finally {
            cluster.close();
        }
    }

    @Test
    void kubectlRollsADaemonSetOutAndBackAndANewNodeGetsItsPod() throws Exception {
        Path manifest = Files.createTempFile("daemonset", ".yaml");
        Files.writeString(manifest, MANIFEST);
        try {
            kubectl.ok("apply", "-f", manifest.toString());
        } finally {
            Files.delete(manifest);
        }
        assertThat(rolloutStatus()).contains("daemon set \"logs\" successfully rolled out");
        assertThat(readyPods()).extracting(pod -> pod.getSpec().getNodeName())
                .containsExactlyInAnyOrder("ds-0", "ds-1", "ds-2");
        assertThat(kubectl.ok("get", "daemonset", "logs")).containsPattern("logs\\s+3\\s+3\\s+3\\s+3\\s+3\\s+");

        kubectl.ok("set", "image", "daemonset/logs", "shipper=fluent-bit:3.2");
        assertThat(rolloutStatus()).contains("successfully rolled out");
        assertThat(images()).containsExactly("fluent-bit:3.2", "fluent-bit:3.2", "fluent-bit:3.2");
        String history = kubectl.ok("rollout", "history", "daemonset/logs");
        assertThat(history).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
        assertThat(kubectl.ok("rollout", "history", "daemonset/logs", "--revision=1")).contains("fluent-bit:3.1");
        assertThat(kubectl.ok("get", "controllerrevisions")).containsPattern("logs-\\w+\\s+daemonset.apps/logs\\s+2");

        assertThat(kubectl.ok("rollout", "undo", "daemonset/logs")).contains("rolled back");
        assertThat(rolloutStatus()).contains("successfully rolled out");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                .containsExactly("fluent-bit:3.1", "fluent-bit:3.1", "fluent-bit:3.1"));
        // The first revision came back renumbered 3: still two revisions.
        assertThat(kubectl.ok("rollout", "history", "daemonset/logs")).containsPattern("(?m)^2\\s")
                .containsPattern("(?m)^3\\s").doesNotContainPattern("(?m)^1\\s");

        cluster.join(1, "late", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(readyPods()).extracting(p -> p.getSpec().getNodeName())
                .containsExactlyInAnyOrder("ds-0", "ds-1", "ds-2", "late-0"));
        assertThat(rolloutStatus()).contains("successfully rolled out");
        assertThat(kubectl.ok("describe", "daemonset", "logs")).contains("SuccessfulCreate")
                .contains("Desired Number of Nodes Scheduled: 4");
    }

    private String rolloutStatus() throws Exception {
        return kubectl.ok("rollout", "status", "daemonset/logs", "--timeout=80s");
    }

    private List<Pod> readyPods() {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", "logs").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                        && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    /** The images of the pods not being deleted. */
    private List<String> images() {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", "logs").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .map(pod -> pod.getSpec().getContainers().get(0).getImage()).toList();
    }
}
