package io.qube.controller.podgc;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.DeleteHandler;
import io.qube.controller.api.Informers;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Kubernetes' pod garbage collector, one sweep at a time every period (and at once when a node goes): deletes the
 * oldest terminated pods beyond the threshold, and force-deletes pods bound to a node that no longer exists,
 * unscheduled pods being deleted (no agent will confirm them), and pods being deleted on a node marked
 * out-of-service.
 */
public final class PodGarbageCollector implements Controller {

    static final String COMPONENT = "pod-garbage-collector";
    private static final String SWEEP = "sweep";
    private static final String OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

    private final KubernetesClient client;
    private final int terminatedThreshold;
    private final Duration period;
    private final ControllerQueue queue = new ControllerQueue(COMPONENT, 1);
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Node> nodes;

    /** @param terminatedThreshold terminated pods kept at most (Kubernetes' terminated-pod-gc-threshold) */
    public PodGarbageCollector(KubernetesClient client, int terminatedThreshold, Duration period) {
        this.client = client;
        this.terminatedThreshold = terminatedThreshold;
        this.period = period;
    }

    @Override
    public void start(Informers informers) {
        pods = informers.of(Pod.class);
        nodes = informers.of(Node.class);
        // A node going may orphan pods; the periodic sweep finds the rest (terminated pods, out-of-service nodes).
        nodes.addEventHandler(new DeleteHandler<>(node -> queue.add(SWEEP)));
        informers.awaitSynced();
        queue.start(key -> sweep());
        queue.add(SWEEP);
    }

    private WorkQueue.Outcome sweep() {
        List<Pod> all = pods.getIndexer().list();
        List<Pod> terminated = all.stream().filter(PodGarbageCollector::terminated)
                .sorted(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())).toList();
        for (Pod pod : terminated.subList(0, Math.max(0, terminated.size() - terminatedThreshold))) {
            delete(pod, null);
        }
        for (Pod pod : all) {
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
            if (nodeName == null || nodeName.isEmpty()) {
                if (deleting) {
                    delete(pod, 0L);
                }
                continue;
            }
            Node node = nodes.getIndexer().getByKey(nodeName);
            if (node == null) {
                // The cache may lag a node's creation: only the API's word that it is gone counts.
                if (client.nodes().withName(nodeName).get() == null) {
                    delete(pod, 0L);
                }
            } else if (deleting && outOfService(node)) {
                delete(pod, 0L);
            }
        }
        return WorkQueue.Outcome.after(period);
    }

    private static boolean terminated(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static boolean outOfService(Node node) {
        return node.getSpec() != null && node.getSpec().getTaints() != null && node.getSpec().getTaints().stream()
                .anyMatch(t -> OUT_OF_SERVICE.equals(t.getKey()) && "NoExecute".equals(t.getEffect()));
    }

    /** Deletes the pod, with no grace at all when {@code grace} is 0: nothing on a node will wind it down. */
    private void delete(Pod pod, Long grace) {
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName());
        try {
            if (grace == null) {
                resource.delete();
            } else {
                resource.withGracePeriod(grace).delete();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
