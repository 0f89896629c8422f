package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Resource;
import io.qube.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.qube.scheduler.framework.ExtensionPoints.MAX_NODE_SCORE;

/**
 * Requests against allocatable: Filter keeps the nodes with room for the pod's cpu, memory, ephemeral storage,
 * extended resources and one more pod; Score prefers the least allocated nodes (spreading) or, with the
 * MostAllocated strategy, the most allocated ones (packing), over cpu and memory weighted equally.
 */
public final class NodeResourcesFit implements ExtensionPoints.Filter, ExtensionPoints.Score,
        ExtensionPoints.EnqueueExtensions {

    /** How Score ranks nodes (Kubernetes' scoringStrategy.type). */
    public enum Strategy { LEAST_ALLOCATED, MOST_ALLOCATED }

    static final String TOO_MANY_PODS = "Too many pods";
    private static final Map<String, Integer> SCORED = Map.of(Resource.CPU, 1, Resource.MEMORY, 1);

    private final Strategy strategy;

    public NodeResourcesFit(Strategy strategy) {
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return Names.NODE_RESOURCES_FIT;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<String> insufficient = insufficientResources(pod, node);
        return insufficient.isEmpty() ? Status.SUCCESS : Status.unschedulable(insufficient.toArray(String[]::new));
    }

    /** The reasons the pod does not fit, in Kubernetes' order and words; empty when it fits. */
    static List<String> insufficientResources(PodInfo pod, NodeInfo node) {
        List<String> reasons = new ArrayList<>();
        Resource allocatable = node.allocatable();
        Resource requested = node.requested();
        if (node.pods().size() + 1 > allocatable.pods) {
            reasons.add(TOO_MANY_PODS);
        }
        Resource wanted = pod.requests();
        if (wanted.isZero()) {
            return reasons;
        }
        if (wanted.milliCpu > 0 && allocatable.milliCpu < wanted.milliCpu + requested.milliCpu) {
            reasons.add("Insufficient cpu");
        }
        if (wanted.memory > 0 && allocatable.memory < wanted.memory + requested.memory) {
            reasons.add("Insufficient memory");
        }
        if (wanted.ephemeralStorage > 0
                && allocatable.ephemeralStorage < wanted.ephemeralStorage + requested.ephemeralStorage) {
            reasons.add("Insufficient ephemeral-storage");
        }
        for (Map.Entry<String, Long> scalar : wanted.scalar.entrySet()) {
            if (scalar.getValue() > 0 && allocatable.get(scalar.getKey()) < scalar.getValue() + requested.get(scalar.getKey())) {
                reasons.add("Insufficient " + scalar.getKey());
            }
        }
        return reasons;
    }

    /** Counts containers without requests at Kubernetes' non-zero defaults, so best-effort pods still spread. */
    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long weighted = 0;
        long weights = 0;
        for (Map.Entry<String, Integer> resource : SCORED.entrySet()) {
            long capacity = node.allocatable().get(resource.getKey());
            long used = resource.getKey().equals(Resource.CPU)
                    ? node.nonZeroMilliCpu() + pod.nonZeroMilliCpu()
                    : node.nonZeroMemory() + pod.nonZeroMemory();
            weighted += resourceScore(used, capacity) * resource.getValue();
            weights += resource.getValue();
        }
        return weights == 0 ? 0 : weighted / weights;
    }

    private long resourceScore(long used, long capacity) {
        if (capacity == 0) {
            return 0;
        }
        if (strategy == Strategy.MOST_ALLOCATED) {
            return Math.min(used, capacity) * MAX_NODE_SCORE / capacity;
        }
        return used > capacity ? 0 : (capacity - used) * MAX_NODE_SCORE / capacity;
    }

    @Override
    public Set<ClusterEvent> events() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_CHANGED, ClusterEvent.ASSIGNED_POD_DELETED,
                ClusterEvent.ASSIGNED_POD_CHANGED);
    }
}
