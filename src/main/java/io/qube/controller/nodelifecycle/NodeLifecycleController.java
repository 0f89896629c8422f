package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' node lifecycle controller, keyed by node name. Node and node-Lease events enqueue their node, and a
 * bound pod's events its node (a pod arriving on a NoExecute-tainted node may have to leave); every node is also
 * looked at again each monitor period, since a heartbeat that stops makes no event. {@link NodeLifecycleSync}
 * does the rest.
 */
public final class NodeLifecycleController implements Controller {

    static final String COMPONENT = "node-controller";
    static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    static final String BY_NODE = "spec.nodeName";

    private final KubernetesClient client;
    private final Duration gracePeriod;
    private final Duration monitorPeriod;
    private final ControllerQueue queue = new ControllerQueue(COMPONENT, 2);

    /**
     * @param gracePeriod   how long a node may go without a heartbeat before it is Unknown (Kubernetes'
     *                      nodeMonitorGracePeriod, 40 s by default)
     * @param monitorPeriod how often every node is looked at (nodeMonitorPeriod, 5 s)
     */
    public NodeLifecycleController(KubernetesClient client, Duration gracePeriod, Duration monitorPeriod) {
        this.client = client;
        this.gracePeriod = gracePeriod;
        this.monitorPeriod = monitorPeriod;
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<Node> nodes = informers.of(Node.class);
        nodes.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        SharedIndexInformer<Lease> leases = informers.of(Lease.class);
        leases.addEventHandler(new EnqueueHandler<>(lease -> {
            if (NODE_LEASE_NAMESPACE.equals(lease.getMetadata().getNamespace())) {
                queue.add(lease.getMetadata().getName());
            }
        }));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addIndexers(Map.of(BY_NODE, pod -> pod.getSpec() == null || pod.getSpec().getNodeName() == null
                ? List.of() : List.of(pod.getSpec().getNodeName())));
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueNodeOf(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (old.getSpec() == null || old.getSpec().getNodeName() == null) {
                    enqueueNodeOf(pod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                // A pod gone asks nothing of its node.
            }
        });
        informers.awaitSynced();
        NodeLifecycleSync sync = new NodeLifecycleSync(client, nodes, leases, pods, gracePeriod, monitorPeriod,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT), Clock.systemUTC());
        queue.start(sync::sync);
        queue.addAll(nodes);
    }

    /** A newly bound pod only matters on a node with NoExecute taints, which the sync checks. */
    private void enqueueNodeOf(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
            queue.add(pod.getSpec().getNodeName());
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
