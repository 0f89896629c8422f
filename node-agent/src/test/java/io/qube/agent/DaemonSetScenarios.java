package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DaemonSets as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler and
 * DaemonSet controller) and the nodes of the subclass's {@link Cluster}. Apply, rollout status, set image, rollout
 * history, undo through a ControllerRevision, and a node that joins later.
 */
abstract class DaemonSetScenarios extends ClusterScenarios {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
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
                    command: [sleep, "3600"]
            """;

    @Test
    void kubectlRollsADaemonSetOutAndBackAndANewNodeGetsItsPod() throws Exception {
        apply(MANIFEST);
        assertThat(rolloutStatus()).contains("daemon set \"logs\" successfully rolled out");
        List<String> nodes = cluster.nodeNames();
        int count = nodes.size();
        assertThat(readyPods()).extracting(pod -> pod.getSpec().getNodeName())
                .containsExactlyInAnyOrderElementsOf(nodes);
        assertThat(kubectl.ok("get", "daemonset", "logs"))
                .containsPattern("logs(\\s+" + count + "){5}\\s+");

        kubectl.ok("set", "image", "daemonset/logs", "shipper=fluent-bit:3.2");
        assertThat(rolloutStatus()).contains("successfully rolled out");
        assertThat(images()).containsExactlyElementsOf(Collections.nCopies(count, "fluent-bit:3.2"));
        String history = kubectl.ok("rollout", "history", "daemonset/logs");
        assertThat(history).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
        assertThat(kubectl.ok("rollout", "history", "daemonset/logs", "--revision=1")).contains("fluent-bit:3.1");
        assertThat(kubectl.ok("get", "controllerrevisions")).containsPattern("logs-\\w+\\s+daemonset.apps/logs\\s+2");

        assertThat(kubectl.ok("rollout", "undo", "daemonset/logs")).contains("rolled back");
        assertThat(rolloutStatus()).contains("successfully rolled out");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(images())
                .containsExactlyElementsOf(Collections.nCopies(count, "fluent-bit:3.1")));
        // The first revision came back renumbered 3: still two revisions.
        assertThat(kubectl.ok("rollout", "history", "daemonset/logs")).containsPattern("(?m)^2\\s")
                .containsPattern("(?m)^3\\s").doesNotContainPattern("(?m)^1\\s");

        List<String> all = new ArrayList<>(nodes);
        all.add(cluster.joinNode());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(readyPods()).extracting(p -> p.getSpec().getNodeName())
                .containsExactlyInAnyOrderElementsOf(all));
        assertThat(rolloutStatus()).contains("successfully rolled out");
        assertThat(kubectl.ok("describe", "daemonset", "logs")).contains("SuccessfulCreate")
                .contains("Desired Number of Nodes Scheduled: " + all.size());
    }

    private String rolloutStatus() throws Exception {
        return kubectl.ok("rollout", "status", "daemonset/logs", "--timeout=80s");
    }

    private List<Pod> readyPods() {
        return cluster.readyPods(NAMESPACE, "logs");
    }

    /** The images of the pods not being deleted. */
    private List<String> images() {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", "logs").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .map(pod -> pod.getSpec().getContainers().get(0).getImage()).toList();
    }
}
