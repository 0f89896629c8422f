package io.qube.scheduler.plugins;

import io.qube.client.Tolerations;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Taints: a NoSchedule or NoExecute taint the pod does not tolerate keeps it off the node; PreferNoSchedule taints
 * it does not tolerate make the node score lower.
 */
public final class TaintToleration implements ExtensionPoints.Filter, ExtensionPoints.PreScore, ExtensionPoints.Score,
        ExtensionPoints.EnqueueExtensions {

    private static final String SOFT_TOLERATIONS = Names.TAINT_TOLERATION + "/preferNoSchedule";

    private record SoftTolerations(List<Toleration> tolerations) implements CycleState.Immutable {
    }

    @Override
    public String name() {
        return Names.TAINT_TOLERATION;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        for (Taint taint : node.taints()) {
            boolean hard = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
            if (hard && !Tolerations.tolerated(taint, pod.pod().getSpec().getTolerations())) {
                return Status.unresolvable("node(s) had untolerated taint {" + taint.getKey() + ": "
                        + (taint.getValue() == null ? "" : taint.getValue()) + "}");
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        List<Toleration> all = pod.pod().getSpec().getTolerations() == null ? List.of() : pod.pod().getSpec().getTolerations();
        state.write(SOFT_TOLERATIONS, new SoftTolerations(all.stream()
                .filter(t -> t.getEffect() == null || t.getEffect().isEmpty() || "PreferNoSchedule".equals(t.getEffect()))
                .toList()));
        return Status.SUCCESS;
    }

    /** The number of PreferNoSchedule taints the pod does not tolerate; normalised so fewer scores higher. */
    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        SoftTolerations soft = state.read(SOFT_TOLERATIONS);
        long count = 0;
        for (Taint taint : node.taints()) {
            if ("PreferNoSchedule".equals(taint.getEffect()) && !Tolerations.tolerated(taint, soft.tolerations())) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, long[] scores) {
        Scores.normalize(scores, true);
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED);
    }
}
