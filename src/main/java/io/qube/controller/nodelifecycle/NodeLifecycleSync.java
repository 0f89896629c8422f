package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One node's turn: a node not heard from for the grace period has its conditions set to Unknown and its pods
 * marked not Ready; its taints are made to follow its conditions; its pods that may no longer stay under its
 * NoExecute taints are deleted. Then it comes back after the monitor period, or sooner when an eviction is due.
 */
final class NodeLifecycleSync {

    private static final List<String> KUBELET_CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure",
            "PIDPressure");

    private final KubernetesClient client;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Lease> leases;
    private final SharedIndexInformer<Pod> pods;
    private final Duration gracePeriod;
    private final Duration monitorPeriod;
    private final EventRecorder events;
    private final Clock clock;
    private final Heartbeats heartbeats = new Heartbeats();

    NodeLifecycleSync(KubernetesClient client, SharedIndexInformer<Node> nodes, SharedIndexInformer<Lease> leases,
                      SharedIndexInformer<Pod> pods, Duration gracePeriod, Duration monitorPeriod,
                      EventRecorder events, Clock clock) {
        this.client = client;
        this.nodes = nodes;
        this.leases = leases;
        this.pods = pods;
        this.gracePeriod = gracePeriod;
        this.monitorPeriod = monitorPeriod;
        this.events = events;
        this.clock = clock;
    }

    WorkQueue.Outcome sync(String name) {
        Node node = nodes.getIndexer().getByKey(name);
        if (node == null) {
            heartbeats.forget(name);
            return WorkQueue.Outcome.DONE;
        }
        Instant now = clock.instant();
        Lease lease = leases.getIndexer().getByKey(NodeLifecycleController.NODE_LEASE_NAMESPACE + "/" + name);
        NodeCondition ready = ConditionTaints.condition(node, "Ready");
        Instant heard = heartbeats.lastHeard(name, lease == null || lease.getSpec() == null ? null
                : Objects.toString(lease.getSpec().getRenewTime(), null), ready == null ? null : ready.getLastHeartbeatTime(), now);
        try {
            if (!heard.plus(gracePeriod).isAfter(now) && !"Unknown".equals(ConditionTaints.status(node, "Ready"))) {
                markUnknown(node, now);
                // The new conditions come back through the informer, and with them the taints.
                return WorkQueue.Outcome.after(monitorPeriod);
            }
            List<Taint> taints = ConditionTaints.desired(node, now);
            if (!taints.equals(node.getSpec() == null ? List.of() : node.getSpec().getTaints())) {
                client.nodes().resource(new NodeBuilder(node).editOrNewSpec().withTaints(taints).endSpec().build())
                        .update();
                return WorkQueue.Outcome.after(monitorPeriod);
            }
            Duration next = evict(node, taints, now);
            Duration untilUnknown = Duration.between(now, heard.plus(gracePeriod));
            return WorkQueue.Outcome.after(min(next, min(monitorPeriod,
                    untilUnknown.isNegative() ? monitorPeriod : untilUnknown)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Written meanwhile (by its agent, most likely): the informer brings the news and this node again.
                return WorkQueue.Outcome.after(Duration.ofMillis(100));
            }
            throw e;
        }
    }

    /** What Kubernetes does to a node that stopped posting: its conditions Unknown, its pods not Ready. */
    private void markUnknown(Node node, Instant now) {
        String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        List<NodeCondition> conditions = new ArrayList<>(node.getStatus() == null
                || node.getStatus().getConditions() == null ? List.of() : node.getStatus().getConditions());
        boolean neverPosted = conditions.isEmpty();
        for (String type : KUBELET_CONDITIONS) {
            NodeCondition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
                    .orElse(null);
            NodeConditionBuilder unknown = (existing == null ? new NodeConditionBuilder().withType(type)
                    .withLastHeartbeatTime(node.getMetadata().getCreationTimestamp())
                    : new NodeConditionBuilder(existing))
                    .withStatus("Unknown").withLastTransitionTime(stamp)
                    .withReason(neverPosted ? "NodeStatusNeverUpdated" : "NodeStatusUnknown")
                    .withMessage(neverPosted ? "Kubelet never posted node status." : "Kubelet stopped posting node status.");
            conditions.remove(existing);
            conditions.add(unknown.build());
        }
        Node changed = new NodeBuilder(node).editOrNewStatus().withConditions(conditions).endStatus().build();
        client.nodes().resource(changed).updateStatus();
        events.normal(node, "NodeNotReady", "Node " + node.getMetadata().getName() + " status is now: NodeNotReady");
        for (Pod pod : pods.getIndexer().byIndex(NodeLifecycleController.BY_NODE, node.getMetadata().getName())) {
            markNotReady(pod, stamp);
        }
    }

    private void markNotReady(Pod pod, String stamp) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return;
        }
        List<PodCondition> conditions = new ArrayList<>();
        boolean changed = false;
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && !"False".equals(condition.getStatus())) {
                conditions.add(new PodConditionBuilder(condition).withStatus("False")
                        .withLastTransitionTime(stamp).build());
                changed = true;
            } else {
                conditions.add(condition);
            }
        }
        if (!changed) {
            return;
        }
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(new PodBuilder(pod).editStatus()
                    .withConditions(conditions).endStatus().build()).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Deletes the node's pods whose time under its NoExecute taints is up; how long until the next one is. */
    private Duration evict(Node node, List<Taint> taints, Instant now) {
        if (taints.stream().noneMatch(t -> "NoExecute".equals(t.getEffect()))) {
            return monitorPeriod;
        }
        Duration next = monitorPeriod;
        for (Pod pod : pods.getIndexer().byIndex(NodeLifecycleController.BY_NODE, node.getMetadata().getName())) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Instant due = Eviction.due(pod, taints, now);
            if (due == null) {
                continue;
            }
            if (due.isAfter(now)) {
                next = min(next, Duration.between(now, due));
                continue;
            }
            events.normal(pod, "TaintManagerEviction", "Marking for deletion Pod " + pod.getMetadata().getNamespace()
                    + "/" + pod.getMetadata().getName());
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .delete();
        }
        return next;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
