package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.agent.StatusPatch;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The kubelet's node status updates: at least every interval (five minutes by default, as the kubelet's
 * nodeStatusReportFrequency; the Lease is the heartbeat the node controller watches) each node's status is written
 * again with fresh condition heartbeats, each node on its own schedule spread over the interval; a condition
 * whose status has not changed keeps its transition time. A node whose Ready condition is not what this agent
 * reports (the node controller marked it Unknown while the agent was away or slow) is written again: at once when
 * the agent's watch of its nodes sees it, and every {@link #CHECK_INTERVAL} (the kubelet's
 * nodeStatusUpdateFrequency) the watched copies are compared again, so that a failed write is retried then. The
 * watch replaces a list of every node per check, which hundreds of simulated nodes made costly.
 */
public final class NodeStatusReporter implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(NodeStatusReporter.class);

    private final KubernetesClient client;
    private final Map<String, NodeProfile> profiles = new LinkedHashMap<>();
    private final int port;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "node-status");
        thread.setDaemon(true);
        return thread;
    });
    private SharedIndexInformer<Node> nodes;
    /** status.images of a machine node; null for simulated nodes, which have none. */
    private final Supplier<List<ContainerImage>> images;
    /** A machine node's pressure conditions (its eviction manager's); simulated nodes have none. */
    private final NodePressure pressure;

    public NodeStatusReporter(KubernetesClient client, List<NodeProfile> profiles, int port) {
        this(client, profiles, port, null, new NodePressure());
    }

    NodeStatusReporter(KubernetesClient client, List<NodeProfile> profiles, int port,
                       Supplier<List<ContainerImage>> images, NodePressure pressure) {
        this.client = client;
        profiles.forEach(profile -> this.profiles.put(profile.name(), profile));
        this.port = port;
        this.images = images;
        this.pressure = pressure;
    }

    /** Writes the status now if it differs from the API's (a pressure condition changed). */
    void refresh() {
        ticks.execute(() -> profiles.keySet().forEach(this::reportIfDiffering));
    }

    /** Reports every interval, the first after one interval (registration has just written the status). */
    public void start(Duration interval) {
        // A machine's agent watches its one node; a simulating agent all nodes, in one watch, for its many.
        nodes = (profiles.size() == 1 ? client.nodes().withName(profiles.keySet().iterator().next())
                : client.nodes()).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Node node) {
                        changed(node);
                    }

                    @Override
                    public void onUpdate(Node old, Node node) {
                        changed(node);
                    }

                    @Override
                    public void onDelete(Node node, boolean finalStateUnknown) {
                        // Nothing to set right on a node that is gone.
                    }
                });
        // Spread as the Lease renewals are: 500 simulated nodes reported in one loop were a burst of 500 writes.
        long period = interval.toMillis();
        int i = 0;
        for (NodeProfile profile : profiles.values()) {
            ticks.scheduleWithFixedDelay(() -> reportOrLog(profile), period + period * i++ / profiles.size(), period,
                    TimeUnit.MILLISECONDS);
        }
        ticks.scheduleWithFixedDelay(() -> profiles.keySet().forEach(this::reportIfDiffering),
                CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** On the watch's thread: the write goes to the reporter's own, which looks at the node again then. */
    private void changed(Node node) {
        if (profiles.containsKey(node.getMetadata().getName()) && !readyAsReported(node)) {
            ticks.execute(() -> reportIfDiffering(node.getMetadata().getName()));
        }
    }

    private void reportIfDiffering(String name) {
        Node node = nodes.getStore().getByKey(name);
        if (node == null) {
            return;
        }
        List<ContainerImage> found = images == null ? null : images.get();
        if (readyAsReported(node) && imagesAsReported(node, found) && pressureAsReported(node)) {
            return;
        }
        try {
            report(profiles.get(name), Instant.now(), found);
        } catch (KubernetesClientException e) {
            LOG.warnf("reporting node %s Ready again failed (%s); trying again at the next check", name,
                    e.getMessage());
        }
    }

    private static boolean readyAsReported(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private boolean pressureAsReported(Node node) {
        return java.util.stream.Stream.of(NodePressure.MEMORY, NodePressure.DISK).allMatch(type ->
                node.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals(type)
                        && c.getStatus().equals(pressure.under(type) ? "True" : "False")));
    }

    /** A pull or a removal shows in status.images within a check, not only at the next full report. */
    private static boolean imagesAsReported(Node node, List<ContainerImage> now) {
        return now == null || now.equals(node.getStatus().getImages());
    }

    private void reportOrLog(NodeProfile profile) {
        try {
            report(profile, Instant.now(), images == null ? null : images.get());
        } catch (KubernetesClientException e) {
            LOG.warnf("reporting the status of node %s failed (%s); trying again at the next tick",
                    profile.name(), e.getMessage());
        }
    }

    /** @param found the node's images as listed now, null if unknown (the status keeps those it has) */
    void report(NodeProfile profile, Instant now, List<ContainerImage> found) {
        // The watch's copy, not a read per report: it is what the API holds, as of the last event.
        Node current = nodes.getStore().getByKey(profile.name());
        NodeStatus status = NodeRegistration.node(profile, now, port).getStatus();
        for (NodeCondition condition : status.getConditions()) {
            if (condition.getType().equals(NodePressure.MEMORY) && pressure.under(NodePressure.MEMORY)) {
                set(condition, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available");
            } else if (condition.getType().equals(NodePressure.DISK) && pressure.under(NodePressure.DISK)) {
                set(condition, "KubeletHasDiskPressure", "kubelet has disk pressure");
            }
        }
        if (current != null && current.getStatus() != null && current.getStatus().getConditions() != null) {
            for (NodeCondition condition : status.getConditions()) {
                current.getStatus().getConditions().stream()
                        .filter(before -> before.getType().equals(condition.getType())
                                && before.getStatus().equals(condition.getStatus()))
                        .findFirst().ifPresent(before -> condition.setLastTransitionTime(
                                before.getLastTransitionTime()));
            }
        }
        if (found != null) {
            status.setImages(found);
        } else if (current != null && current.getStatus() != null) {
            status.setImages(current.getStatus().getImages());
        }
        StatusPatch.write(client, new NodeBuilder().withNewMetadata().withName(profile.name()).endMetadata()
                .withStatus(status).build());
    }

    private static void set(NodeCondition condition, String reason, String message) {
        condition.setStatus("True");
        condition.setReason(reason);
        condition.setMessage(message);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        if (nodes != null) {
            nodes.close();
        }
    }
}
