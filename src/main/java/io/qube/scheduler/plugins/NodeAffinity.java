package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterResult;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.client.Selectors;
import io.qube.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * nodeSelector and node affinity: Filter keeps the nodes that match the nodeSelector and one of the required terms
 * (matchExpressions on labels, matchFields on the name); Score adds the weights of the preferred terms a node matches.
 */
public final class NodeAffinity implements ExtensionPoints.PreFilter, ExtensionPoints.Filter, ExtensionPoints.PreScore,
        ExtensionPoints.Score, ExtensionPoints.EnqueueExtensions {

    static final String REASON = "node(s) didn't match Pod's node affinity/selector";
    private static final String REQUIRED = Names.NODE_AFFINITY + "/required";
    private static final String PREFERRED = Names.NODE_AFFINITY + "/preferred";

    private record Required(RequiredNodeAffinity affinity) implements CycleState.Immutable {
    }

    private record Preferred(List<PreferredSchedulingTerm> terms) implements CycleState.Immutable {
    }

    @Override
    public String name() {
        return Names.NODE_AFFINITY;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        RequiredNodeAffinity affinity = RequiredNodeAffinity.of(pod.pod());
        if (affinity.isEmpty()) {
            return PreFilterResult.SKIP;
        }
        state.write(REQUIRED, new Required(affinity));
        if (affinity.terms() != null && affinity.terms().isEmpty()) {
            // Kubernetes: a required node affinity with no terms matches no node.
            return PreFilterResult.of(Status.unresolvable(REASON));
        }
        return new PreFilterResult(Status.SUCCESS, affinity.nodeNames());
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Required required = state.read(REQUIRED);
        RequiredNodeAffinity affinity = required == null ? RequiredNodeAffinity.of(pod.pod()) : required.affinity();
        return affinity.matches(node) ? Status.SUCCESS : Status.unresolvable(REASON);
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        var affinity = pod.pod().getSpec().getAffinity();
        var terms = affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        if (terms == null || terms.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PREFERRED, new Preferred(terms));
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Preferred preferred = state.read(PREFERRED);
        long total = 0;
        for (PreferredSchedulingTerm term : preferred.terms()) {
            if (term.getWeight() != null && term.getWeight() != 0 && term.getPreference() != null
                    && Selectors.matches(term.getPreference(), node.node())) {
                total += term.getWeight();
            }
        }
        return total;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        Scores.normalize(scores, false);
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED);
    }
}
