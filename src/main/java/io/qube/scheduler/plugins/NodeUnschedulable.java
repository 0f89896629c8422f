package io.qube.scheduler.plugins;

import io.qube.client.Tolerations;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.Set;

/** Keeps pods off cordoned nodes (spec.unschedulable) unless they tolerate the unschedulable taint. */
public final class NodeUnschedulable implements ExtensionPoints.Filter, ExtensionPoints.EnqueueExtensions {

    static final String REASON = "node(s) were unschedulable";
    private static final Taint UNSCHEDULABLE = new TaintBuilder().withKey("node.kubernetes.io/unschedulable")
            .withEffect("NoSchedule").build();

    @Override
    public String name() {
        return Names.NODE_UNSCHEDULABLE;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        if (!node.unschedulable()
                || Tolerations.tolerated(UNSCHEDULABLE, pod.pod().getSpec().getTolerations())) {
            return Status.SUCCESS;
        }
        return Status.unresolvable(REASON);
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED);
    }
}
