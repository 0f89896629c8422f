package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The taints a node's conditions call for, as Kubernetes' node lifecycle controller sets them: Ready False or
 * Unknown give the not-ready or unreachable taint with both NoSchedule and NoExecute; memory, disk and PID
 * pressure, an unavailable network and a cordon give their NoSchedule taints. Other taints are the user's.
 */
final class ConditionTaints {

    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    private static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    private static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    private static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    private static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
    private static final Set<String> MANAGED = Set.of(NOT_READY, UNREACHABLE, UNSCHEDULABLE, MEMORY_PRESSURE,
            DISK_PRESSURE, PID_PRESSURE, NETWORK_UNAVAILABLE);

    private ConditionTaints() {
    }

    /**
     * The node's taints as they should be: the user's kept, the managed ones as its conditions say, a taint that
     * stays keeping the time it was added (NoExecute evictions count from it).
     */
    static List<Taint> desired(Node node, Instant now) {
        List<Taint> current = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        List<Taint> wanted = new ArrayList<>();
        for (Taint taint : current) {
            if (!MANAGED.contains(taint.getKey())) {
                wanted.add(taint);
            }
        }
        String ready = status(node, "Ready");
        if ("False".equals(ready)) {
            add(wanted, current, NOT_READY, "NoSchedule", now);
            add(wanted, current, NOT_READY, "NoExecute", now);
        } else if ("Unknown".equals(ready)) {
            add(wanted, current, UNREACHABLE, "NoSchedule", now);
            add(wanted, current, UNREACHABLE, "NoExecute", now);
        }
        if ("True".equals(status(node, "MemoryPressure"))) {
            add(wanted, current, MEMORY_PRESSURE, "NoSchedule", now);
        }
        if ("True".equals(status(node, "DiskPressure"))) {
            add(wanted, current, DISK_PRESSURE, "NoSchedule", now);
        }
        if ("True".equals(status(node, "PIDPressure"))) {
            add(wanted, current, PID_PRESSURE, "NoSchedule", now);
        }
        if ("True".equals(status(node, "NetworkUnavailable"))) {
            add(wanted, current, NETWORK_UNAVAILABLE, "NoSchedule", now);
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            add(wanted, current, UNSCHEDULABLE, "NoSchedule", now);
        }
        return wanted;
    }

    /** The condition's status, or null when the node has none of that type. */
    static String status(Node node, String type) {
        NodeCondition condition = condition(node, type);
        return condition == null ? null : condition.getStatus();
    }

    static NodeCondition condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return null;
        }
        for (NodeCondition condition : node.getStatus().getConditions()) {
            if (type.equals(condition.getType())) {
                return condition;
            }
        }
        return null;
    }

    private static void add(List<Taint> wanted, List<Taint> current, String key, String effect, Instant now) {
        for (Taint taint : current) {
            if (key.equals(taint.getKey()) && effect.equals(taint.getEffect())) {
                wanted.add(taint);
                return;
            }
        }
        TaintBuilder taint = new TaintBuilder().withKey(key).withEffect(effect);
        if (effect.equals("NoExecute")) {
            taint.withTimeAdded(now.toString());
        }
        wanted.add(taint.build());
    }
}
