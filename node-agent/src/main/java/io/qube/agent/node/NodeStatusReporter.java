package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.agent.StatusPatch;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The kubelet's node status updates: at least every interval (a minute by default, its
 * nodeStatusReportFrequency) each node's status is written again with fresh condition heartbeats; a condition
 * whose status has not changed keeps its transition time. Every {@link #CHECK_INTERVAL} (its
 * nodeStatusUpdateFrequency) the nodes are compared with the API's view, and one whose Ready condition is not what
 * this agent reports (the node controller marked it Unknown while the agent was away or slow) is written again at
 * once. A failed update waits for the next tick.
 */
public final class NodeStatusReporter implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(NodeStatusReporter.class);

    private final KubernetesClient client;
    private final List<NodeProfile> profiles;
    private final int port;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "node-status");
        thread.setDaemon(true);
        return thread;
    });

    public NodeStatusReporter(KubernetesClient client, List<NodeProfile> profiles, int port) {
        this.client = client;
        this.profiles = List.copyOf(profiles);
        this.port = port;
    }

    /** Reports every interval, the first after one interval (registration has just written the status). */
    public void start(Duration interval) {
        ticks.scheduleWithFixedDelay(this::reportAll, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        ticks.scheduleWithFixedDelay(this::reportDiffering, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void reportDiffering() {
        try {
            // One list for many simulated nodes rather than a GET each.
            Map<String, Node> current = profiles.size() == 1
                    ? Collections.singletonMap(profiles.get(0).name(),
                    client.nodes().withName(profiles.get(0).name()).get())
                    : client.nodes().list().getItems().stream()
                    .collect(Collectors.toMap(n -> n.getMetadata().getName(), n -> n, (a, b) -> a));
            for (NodeProfile profile : profiles) {
                Node node = current.get(profile.name());
                if (node != null && !readyAsReported(node)) {
                    report(profile, Instant.now());
                }
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("checking the nodes' status failed (%s); trying again at the next tick", e.getMessage());
        }
    }

    private static boolean readyAsReported(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void reportAll() {
        for (NodeProfile profile : profiles) {
            try {
                report(profile, Instant.now());
            } catch (KubernetesClientException e) {
                LOG.warnf("reporting the status of node %s failed (%s); trying again at the next tick",
                        profile.name(), e.getMessage());
            }
        }
    }

    void report(NodeProfile profile, Instant now) {
        Node current = client.nodes().withName(profile.name()).get();
        NodeStatus status = NodeRegistration.node(profile, now, port).getStatus();
        if (current != null && current.getStatus() != null && current.getStatus().getConditions() != null) {
            for (NodeCondition condition : status.getConditions()) {
                current.getStatus().getConditions().stream()
                        .filter(before -> before.getType().equals(condition.getType())
                                && before.getStatus().equals(condition.getStatus()))
                        .findFirst().ifPresent(before -> condition.setLastTransitionTime(
                                before.getLastTransitionTime()));
            }
        }
        StatusPatch.write(client, new NodeBuilder().withNewMetadata().withName(profile.name()).endMetadata()
                .withStatus(status).build());
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
