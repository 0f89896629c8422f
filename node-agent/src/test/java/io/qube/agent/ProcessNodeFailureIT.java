package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A process-runtime node whose agent is SIGKILLed, end to end, with the node lifecycle of {@link NodeFailureIT}
 * (Unknown after 15 s of silence, evicted 2 s later): its Deployment pods are replaced on the other node within
 * 60 s, while their processes run on under their shims; when the agent starts again on the same state directory it
 * removes those orphans' processes, network namespaces, cgroups and sandboxes, and its node loses its taints.
 */
class ProcessNodeFailureIT extends ClusterScenarios {

    private static final Duration REPLACEMENT = Duration.ofSeconds(60);

    private ProcessCluster nodes;

    @Override
    Cluster startCluster() throws Exception {
        nodes = ProcessCluster.start(NodeFailureIT.FAST_NODE_LIFECYCLE, 2, "pnf");
        return nodes;
    }

    @Test
    void aKilledAgentsPodsRunOnTheOtherNodeAndItsOrphansGoWhenItComesBack() throws Exception {
        String survivor = nodes.nodeNames().get(0);
        String doomed = nodes.nodeNames().get(1);
        client.apps().deployments().inNamespace(NAMESPACE).resource(NodeFailureIT.spreadWeb(4)).create();
        kubectl.ok("rollout", "status", "deployment/web", "--timeout=80s");
        // The stranded pods' UIDs and their containers' PIDs, read while their agent still runs.
        Map<String, Long> stranded = new HashMap<>();
        for (Pod pod : cluster.readyPods(NAMESPACE, "web")) {
            if (doomed.equals(pod.getSpec().getNodeName())) {
                stranded.put(pod.getMetadata().getUid(), nodes.containerPid(pod));
            }
        }
        assertThat(stranded).as("pods on %s", doomed).isNotEmpty();

        nodes.kill(doomed);

        await().atMost(REPLACEMENT).untilAsserted(() -> assertThat(cluster.readyPods(NAMESPACE, "web")).hasSize(4)
                .allMatch(pod -> survivor.equals(pod.getSpec().getNodeName())));
        // Nothing stopped the stranded containers: their shims outlive the agent.
        assertThat(stranded.values()).allMatch(ProcessNodeFailureIT::alive);

        nodes.restart(doomed);

        await().atMost(REPLACEMENT).untilAsserted(() -> {
            assertThat(stranded.values()).noneMatch(ProcessNodeFailureIT::alive);
            for (String uid : stranded.keySet()) {
                assertThat(ProcessCluster.traces(uid)).isEmpty();
                assertThat(nodes.sandbox(doomed, uid)).doesNotExist();
            }
            assertThat(NodeFailureIT.podsOn(client, doomed)).extracting(p -> p.getMetadata().getUid())
                    .doesNotContainAnyElementsOf(stranded.keySet());
            assertThat(client.nodes().withName(doomed).get().getSpec().getTaints()).isEmpty();
        });
        assertThat(cluster.readyPods(NAMESPACE, "web")).hasSize(4);
    }

    private static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }
}
