package io.qube.scheduler.preemption;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.List;

/** How a preemption plugin chooses the pods to evict on one node (Kubernetes' SelectVictimsOnNode). */
public interface VictimSelector {

    /** What was decided for the node: victims (possibly none) on success, or why the node cannot be used. */
    record Victims(List<PodInfo> pods, Status status) {
    }

    /**
     * @param state a copy of the cycle's state the selector may change
     * @param node  a copy of the node the selector may remove pods from
     */
    Victims select(CycleState state, PodInfo preemptor, NodeInfo node);
}
