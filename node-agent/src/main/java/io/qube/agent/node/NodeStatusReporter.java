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
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's node status updates: at least every interval (a minute by default, its
 * nodeStatusReportFrequency) each node's status is written again with fresh condition heartbeats; a condition
 * whose status has not changed keeps its transition time. A failed update waits for the next tick.
 */
public final class NodeStatusReporter implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
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
