package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.Set;

/** A pod that names its node fits only there. */
public final class NodeName implements ExtensionPoints.Filter, ExtensionPoints.EnqueueExtensions {

    static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return Names.NODE_NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        String wanted = pod.nodeName();
        return wanted == null || wanted.isEmpty() || wanted.equals(node.name()) ? Status.SUCCESS
                : Status.unresolvable(REASON);
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.NODE_ADDED);
    }
}
