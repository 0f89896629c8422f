package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.qube.client.Selectors;
import io.qube.client.Tolerations;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which nodes a DaemonSet's pod belongs on (Kubernetes' NodeShouldRunDaemonPod), and how a daemon pod is pinned
 * to its node: through required node affinity on metadata.name, so that the scheduler binds it there.
 */
final class DaemonNodes {

    /** The field a node affinity term matches a node's name with. */
    static final String NODE_NAME_FIELD = "metadata.name";

    /**
     * Whether a daemon pod should be started on a node, and whether one already there may stay: a pod that
     * tolerates the node's NoExecute taints but not a NoSchedule one keeps running where it is.
     */
    record Placement(boolean shouldRun, boolean shouldContinueRunning) {
        static final Placement NEVER = new Placement(false, false);
        static final Placement ALWAYS = new Placement(true, true);
    }

    private DaemonNodes() {
    }

    static Placement placement(Node node, DaemonSet set) {
        return placement(node, withDaemonTolerations(set.getSpec().getTemplate().getSpec()));
    }

    /** Every node's placement, by node name, the daemon pod's spec made once. */
    static Map<String, Placement> placements(DaemonSet set, List<Node> nodes) {
        PodSpec spec = withDaemonTolerations(set.getSpec().getTemplate().getSpec());
        Map<String, Placement> placements = new HashMap<>();
        for (Node node : nodes) {
            placements.put(node.getMetadata().getName(), placement(node, spec));
        }
        return placements;
    }

    /**
     * Whether an update of the node can change any DaemonSet's placement on it: only its labels, taints and
     * name count, so a status heartbeat changes nothing.
     */
    static boolean placementMayDiffer(Node old, Node node) {
        return !Objects.equals(old.getMetadata().getLabels(), node.getMetadata().getLabels())
                || !Objects.equals(taints(old), taints(node));
    }

    private static List<Taint> taints(Node node) {
        return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    }

    /** @param spec the daemon pod's spec, with the daemon tolerations */
    private static Placement placement(Node node, PodSpec spec) {
        String name = node.getMetadata().getName();
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty() && !spec.getNodeName().equals(name)) {
            return Placement.NEVER;
        }
        if (!Selectors.containsAll(spec.getNodeSelector(), node.getMetadata().getLabels())
                || !requiredAffinityMatches(spec.getAffinity(), node)) {
            return Placement.NEVER;
        }
        List<Taint> taints = taints(node);
        boolean untoleratedSchedule = false;
        boolean untoleratedExecute = false;
        for (Taint taint : taints) {
            if (Tolerations.tolerated(taint, spec.getTolerations())) {
                continue;
            }
            if ("NoExecute".equals(taint.getEffect())) {
                untoleratedExecute = true;
            } else if ("NoSchedule".equals(taint.getEffect())) {
                untoleratedSchedule = true;
            }
        }
        if (untoleratedSchedule || untoleratedExecute) {
            return new Placement(false, !untoleratedExecute);
        }
        return Placement.ALWAYS;
    }

    /** Required node affinity: no terms is no constraint, otherwise the terms are ORed. */
    private static boolean requiredAffinityMatches(Affinity affinity, Node node) {
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        return Selectors.matchesAnyTerm(terms == null ? List.of() : terms, node);
    }

    /**
     * A copy of the spec with the tolerations Kubernetes gives every daemon pod, so that node problems neither
     * evict it nor keep it off a node: not-ready and unreachable NoExecute; disk, memory and PID pressure and
     * unschedulable NoSchedule; network-unavailable NoSchedule for host-network pods, which need no pod network.
     */
    static PodSpec withDaemonTolerations(PodSpec template) {
        PodSpec spec = template == null ? new PodSpec() : new PodSpecBuilder(template).build();
        List<Toleration> tolerations = new ArrayList<>(spec.getTolerations() == null ? List.of()
                : spec.getTolerations());
        addOrReplace(tolerations, "node.kubernetes.io/not-ready", "NoExecute");
        addOrReplace(tolerations, "node.kubernetes.io/unreachable", "NoExecute");
        addOrReplace(tolerations, "node.kubernetes.io/disk-pressure", "NoSchedule");
        addOrReplace(tolerations, "node.kubernetes.io/memory-pressure", "NoSchedule");
        addOrReplace(tolerations, "node.kubernetes.io/pid-pressure", "NoSchedule");
        addOrReplace(tolerations, "node.kubernetes.io/unschedulable", "NoSchedule");
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            addOrReplace(tolerations, "node.kubernetes.io/network-unavailable", "NoSchedule");
        }
        spec.setTolerations(tolerations);
        return spec;
    }

    /** Kubernetes' AddOrUpdateTolerationInPodSpec: a toleration of the same key, operator, value and effect is replaced. */
    private static void addOrReplace(List<Toleration> tolerations, String key, String effect) {
        Toleration daemon = new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration existing = tolerations.get(i);
            if (Objects.equals(existing.getKey(), key) && Objects.equals(existing.getEffect(), effect)
                    && "Exists".equals(existing.getOperator()) && (existing.getValue() == null
                    || existing.getValue().isEmpty())) {
                tolerations.set(i, daemon);
                return;
            }
        }
        tolerations.add(daemon);
    }

    /**
     * The affinity with its required node terms replaced by one that selects the node by name, as Kubernetes'
     * ReplaceDaemonSetPodNodeNameNodeAffinity does: the node was chosen against the original terms already.
     */
    static Affinity pinnedTo(Affinity affinity, String node) {
        NodeSelectorRequirement byName = new NodeSelectorRequirementBuilder().withKey(NODE_NAME_FIELD)
                .withOperator("In").withValues(node).build();
        NodeSelectorTerm term = new NodeSelectorTermBuilder().withMatchFields(byName).build();
        AffinityBuilder pinned = affinity == null ? new AffinityBuilder() : new AffinityBuilder(affinity);
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return pinned.withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withNodeSelectorTerms(term).endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                    .build();
        }
        return pinned.editNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNodeSelectorTerms(term).endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .build();
    }

    /**
     * The node a daemon pod is for (Kubernetes' GetTargetNodeName): where it is bound, or before that the node its
     * affinity names; null when neither says.
     */
    static String targetNode(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return null;
        }
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            return spec.getNodeName();
        }
        if (spec.getAffinity() == null || spec.getAffinity().getNodeAffinity() == null
                || spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        List<NodeSelectorTerm> terms = spec.getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        for (NodeSelectorTerm term : terms == null ? List.<NodeSelectorTerm>of() : terms) {
            for (NodeSelectorRequirement field : term.getMatchFields() == null ? List.<NodeSelectorRequirement>of()
                    : term.getMatchFields()) {
                if (NODE_NAME_FIELD.equals(field.getKey()) && "In".equals(field.getOperator())) {
                    return field.getValues() != null && field.getValues().size() == 1 ? field.getValues().get(0) : null;
                }
            }
        }
        return null;
    }
}
