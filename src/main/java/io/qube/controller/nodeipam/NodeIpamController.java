package io.qube.controller.nodeipam;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Kubernetes' node IPAM controller with its range allocator (kube-controller-manager's --allocate-node-cidrs):
 * every Node gets spec.podCIDR and spec.podCIDRs, one IPv4 range of the cluster CIDR. A range a node carries is
 * taken as soon as its event arrives (and, at start, before anyone is given one), a node without one is synced by
 * name and given the lowest free range, and a deleted node's range is freed by its sync.
 */
public final class NodeIpamController implements Controller {

    static final String COMPONENT = "node-ipam-controller";
    /** The event source of Kubernetes' range allocator. */
    static final String EVENT_SOURCE = "cidrAllocator";
    static final String CIDR_NOT_AVAILABLE = "CIDRNotAvailable";
    private static final int UPDATE_ATTEMPTS = 3;
    private static final Logger LOG = Logger.getLogger(NodeIpamController.class);

    private final KubernetesClient client;
    private final String clusterCidr;
    private final NodeRanges ranges;
    private final ControllerQueue queue;
    private final EventRecorder events;
    private SharedIndexInformer<Node> nodes;

    /**
     * @param clusterCidr  the IPv4 range nodes' ranges come from (Kubernetes' --cluster-cidr)
     * @param nodeMaskSize the prefix length of each node's range (--node-cidr-mask-size)
     * @throws IllegalArgumentException if the two do not make a set of ranges
     */
    public NodeIpamController(KubernetesClient client, int workers, String clusterCidr, int nodeMaskSize) {
        this.client = client;
        this.clusterCidr = clusterCidr;
        this.ranges = new NodeRanges(new CidrSet(clusterCidr, nodeMaskSize));
        this.queue = new ControllerQueue(COMPONENT, workers);
        this.events = new EventRecorder(new ApiRequests(client), EVENT_SOURCE, EVENT_SOURCE);
    }

    /** @throws IllegalArgumentException if the cluster CIDR and mask size make no set of node ranges */
    public static void checkRanges(String clusterCidr, int nodeMaskSize) {
        new CidrSet(clusterCidr, nodeMaskSize);
    }

    @Override
    public void start(Informers informers) {
        nodes = informers.of(Node.class);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                takeOrEnqueue(node);
            }

            @Override
            public void onUpdate(Node old, Node node) {
                if (!Objects.equals(podCidr(old), podCidr(node)) || podCidr(node) == null) {
                    takeOrEnqueue(node);
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                queue.addKeyOf(node);
            }
        });
        informers.awaitSynced();
        // Every range nodes already carry is taken before any node is given one.
        nodes.getIndexer().list().forEach(this::take);
        queue.start(this::sync);
        queue.addAll(nodes);
        // A node deleted since the list above was taken is no longer cached: its sync frees its range.
        ranges.nodes().forEach(queue::add);
    }

    /** Takes a carried range at once, in event order, so that no node created after it is given that range. */
    private void takeOrEnqueue(Node node) {
        if (podCidr(node) == null) {
            queue.addKeyOf(node);
        } else {
            take(node);
        }
    }

    private void take(Node node) {
        String cidr = podCidr(node);
        if (cidr != null && !ranges.occupy(node.getMetadata().getName(), cidr)) {
            LOG.infof("node %s keeps its pod CIDR %s, which lies outside the cluster CIDR %s",
                    node.getMetadata().getName(), cidr, clusterCidr);
        }
    }

    private WorkQueue.Outcome sync(String name) {
        Node node = nodes.getIndexer().getByKey(name);
        if (node == null || node.getMetadata().getDeletionTimestamp() != null) {
            ranges.release(name);
            return WorkQueue.Outcome.DONE;
        }
        if (podCidr(node) != null) {
            return WorkQueue.Outcome.DONE; // taken when its event arrived
        }
        Optional<String> cidr = ranges.allocate(name);
        if (cidr.isEmpty()) {
            // Kubernetes' RecordNodeStatusChange: a Normal event, however bad the news.
            events.normal(node, CIDR_NOT_AVAILABLE, "Node " + name + " status is now: " + CIDR_NOT_AVAILABLE);
            return WorkQueue.Outcome.FAILED;
        }
        return assign(node, cidr.get());
    }

    /** Writes the range into the node's spec, reading the node afresh after a conflict. */
    private WorkQueue.Outcome assign(Node cached, String cidr) {
        String name = cached.getMetadata().getName();
        Node node = cached;
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            if (podCidr(node) != null) {
                take(node); // given one meanwhile: that one replaces the range set aside, which is freed
                return WorkQueue.Outcome.DONE;
            }
            try {
                client.nodes().resource(new NodeBuilder(node).editOrNewSpec().withPodCIDR(cidr)
                        .withPodCIDRs(List.of(cidr)).endSpec().build()).update();
                LOG.debugf("node %s: pod CIDR %s", name, cidr);
                return WorkQueue.Outcome.DONE;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    // The range stays set aside for this node: its next attempt writes the same one.
                    LOG.debugf("pod CIDR %s of node %s: %s", cidr, name, e.getMessage());
                    return WorkQueue.Outcome.FAILED;
                }
            }
            node = client.nodes().withName(name).get();
            if (node == null) {
                ranges.release(name);
                return WorkQueue.Outcome.DONE;
            }
        }
        return WorkQueue.Outcome.FAILED;
    }

    /**
     * The node's pod CIDR, its IPv4 one if it has several (podCIDRs holds at most one per family, and podCIDR
     * repeats the first); null if it has none.
     */
    static String podCidr(Node node) {
        if (node.getSpec() == null) {
            return null;
        }
        List<String> cidrs = node.getSpec().getPodCIDRs() == null || node.getSpec().getPodCIDRs().isEmpty()
                ? Stream.ofNullable(node.getSpec().getPodCIDR()).toList() : node.getSpec().getPodCIDRs();
        List<String> given = cidrs.stream().filter(cidr -> cidr != null && !cidr.isEmpty()).toList();
        return given.stream().filter(NodeRanges::isIpv4).findFirst().orElse(given.isEmpty() ? null : given.get(0));
    }

    @Override
    public void close() {
        queue.close();
    }
}
