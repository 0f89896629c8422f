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
        if (fits(pod, node)) {
            return Status.SUCCESS;
        }
        List<String> insufficient = insufficientResources(pod, node);
        return insufficient.isEmpty() ? Status.SUCCESS : Status.unschedulable(insufficient.toArray(String[]::new));
    }

    /**
     * Whether the pod fits, without working out the reasons: most nodes a cycle filters have room, and this check
     * allocates nothing.
     */
    private static boolean fits(PodInfo pod, NodeInfo node) {
        Resource allocatable = node.allocatable();
        Resource requested = node.requested();
        Resource wanted = pod.requests();
        return node.pods().size() + 1 <= allocatable.pods
                && allocatable.milliCpu >= wanted.milliCpu + requested.milliCpu
                && allocatable.memory >= wanted.memory + requested.memory
                && allocatable.ephemeralStorage >= wanted.ephemeralStorage + requested.ephemeralStorage
                && wanted.scalar.isEmpty();
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
        // cpu and memory, weighted equally (Kubernetes' default resources and weights).
        long cpu = resourceScore(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu(), node.allocatable().milliCpu);
        long memory = resourceScore(node.nonZeroMemory() + pod.nonZeroMemory(), node.allocatable().memory);
        return (cpu + memory) / 2;
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
