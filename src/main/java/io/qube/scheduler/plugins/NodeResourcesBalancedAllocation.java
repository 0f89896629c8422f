package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.List;

import static io.qube.scheduler.framework.ExtensionPoints.MAX_NODE_SCORE;

/**
 * Prefers nodes whose cpu and memory would be used in equal shares with the pod on them: the score falls with the
 * standard deviation of the two used fractions. A pod that requests neither is not scored.
 */
public final class NodeResourcesBalancedAllocation implements ExtensionPoints.PreScore, ExtensionPoints.Score {

    @Override
    public String name() {
        return Names.NODE_RESOURCES_BALANCED_ALLOCATION;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        return pod.requests().milliCpu == 0 && pod.requests().memory == 0 ? Status.SKIP : Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        double[] fractions = new double[2];
        int count = 0;
        long cpuCapacity = node.allocatable().milliCpu;
        if (cpuCapacity > 0) {
            fractions[count++] = Math.min(1.0, (double) (node.requested().milliCpu + pod.requests().milliCpu) / cpuCapacity);
        }
        long memoryCapacity = node.allocatable().memory;
        if (memoryCapacity > 0) {
            fractions[count++] = Math.min(1.0, (double) (node.requested().memory + pod.requests().memory) / memoryCapacity);
        }
        double deviation = 0;
        if (count == 2) {
            deviation = Math.abs(fractions[0] - fractions[1]) / 2;
        }
        return (long) ((1 - deviation) * MAX_NODE_SCORE);
    }
}
