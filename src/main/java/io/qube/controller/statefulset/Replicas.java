package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What kube-controller-manager's updateStatefulSet decides for a StatefulSet's pods, as a {@link StatefulPlan}:
 * each ordinal in range gets its pod (made from the current revision below the partition, else the update
 * revision); failed and succeeded pods are deleted to be made again; pods of ordinals out of range are deleted
 * highest first. With OrderedReady ("monotonic") one write at a time, each only once every lower ordinal is
 * Running, Ready and available, and never past an unhealthy pod; with Parallel all at once. Then one
 * {@link RollingUpdate} step.
 */
final class Replicas {

    private Replicas() {
    }

    static StatefulPlan plan(StatefulSet set, List<Pod> pods, StatefulRevisions revisions, Instant now) {
        int start = StatefulPods.start(set);
        int count = StatefulPods.replicas(set);
        Pod[] replicas = new Pod[count];
        List<Pod> condemned = new ArrayList<>();
        for (Pod pod : pods) {
            int ordinal = StatefulPods.ordinal(set, pod);
            if (StatefulPods.inRange(set, ordinal)) {
                replicas[ordinal - start] = pod;
            } else if (ordinal >= 0) {
                condemned.add(pod);
            }
        }
        for (int i = 0; i < count; i++) {
            if (replicas[i] == null) {
                replicas[i] = versionedPod(set, revisions, start + i);
            }
        }
        condemned.sort(Comparator.comparingInt((Pod pod) -> StatefulPods.ordinal(set, pod)).reversed());
        boolean monotonic = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
        int minReadySeconds = minReadySeconds(set);
        Pod firstUnhealthy = firstUnhealthy(replicas, condemned);
        StatefulPlan plan = new StatefulPlan();
        condemned.stream().filter(pod -> !StatefulPods.terminating(pod)).forEach(plan.retention::add);
        for (Pod pod : replicas) {
            if (replica(set, pod, monotonic, minReadySeconds, now, plan) && monotonic) {
                return plan;
            }
        }
        for (Pod pod : condemned) {
            if (condemned(pod, pod == firstUnhealthy, monotonic, minReadySeconds, now, plan) && monotonic) {
                return plan;
            }
        }
        RollingUpdate.step(set, replicas, revisions.update(), minReadySeconds, now, plan);
        return plan;
    }

    /** Kubernetes' newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
    static Pod versionedPod(StatefulSet set, StatefulRevisions revisions, int ordinal) {
        var strategy = set.getSpec().getUpdateStrategy();
        boolean rollingUpdate = RollingUpdate.isStrategy(set);
        int currentReplicas = set.getStatus() == null || set.getStatus().getCurrentReplicas() == null ? 0
                : set.getStatus().getCurrentReplicas();
        // As Go's precedence reads Kubernetes' condition: the partition applies whatever the strategy type.
        boolean keepsCurrent = rollingUpdate && (strategy == null || strategy.getRollingUpdate() == null)
                && ordinal < StatefulPods.start(set) + currentReplicas
                || strategy != null && strategy.getRollingUpdate() != null
                && ordinal < StatefulPods.start(set) + RollingUpdate.partition(set);
        return keepsCurrent ? StatefulPods.newPod(set, revisions.currentTemplate(), ordinal, revisions.current())
                : StatefulPods.newPod(set, revisions.updateTemplate(), ordinal, revisions.update());
    }

    static int minReadySeconds(StatefulSet set) {
        return set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
    }

    private static Pod firstUnhealthy(Pod[] replicas, List<Pod> condemned) {
        for (Pod pod : replicas) {
            if (!exists(pod) || !StatefulPods.healthy(pod)) {
                return pod;
            }
        }
        return condemned.stream().filter(pod -> !StatefulPods.healthy(pod)).findFirst().orElse(null);
    }

    /** Kubernetes' processReplica; true when a monotonic set must wait (or has written) and go no further. */
    private static boolean replica(StatefulSet set, Pod pod, boolean monotonic, int minReadySeconds, Instant now,
                                   StatefulPlan plan) {
        if (!exists(pod)) {
            plan.create.add(pod);
            return true;
        }
        if (StatefulPods.failed(pod) || StatefulPods.succeeded(pod)) {
            // Made again by a later sync, once this one is gone.
            if (!StatefulPods.terminating(pod)) {
                plan.delete.add(pod);
            }
            return true;
        }
        if (StatefulPods.pending(pod)) {
            plan.missingClaims.add(pod);
        }
        if (monotonic && (StatefulPods.terminating(pod) || !StatefulPods.runningAndReady(pod)
                || !StatefulPods.available(pod, minReadySeconds, now))) {
            return true;
        }
        if (StatefulPods.terminating(pod)) {
            return false;
        }
        plan.retention.add(pod);
        if (!StatefulPods.identityMatches(set, pod) || !StatefulPods.storageMatches(set, pod)) {
            plan.update.add(StatefulPods.withIdentityAndStorage(set, pod));
        }
        return false;
    }

    /** Kubernetes' processCondemned; true when a monotonic set must wait (or has written). */
    private static boolean condemned(Pod pod, boolean firstUnhealthy, boolean monotonic, int minReadySeconds,
                                     Instant now, StatefulPlan plan) {
        if (StatefulPods.terminating(pod)) {
            return true;
        }
        if (monotonic && !firstUnhealthy && (!StatefulPods.runningAndReady(pod)
                || !StatefulPods.available(pod, minReadySeconds, now))) {
            return true;
        }
        plan.delete.add(pod);
        return true;
    }

    /** Whether the pod is in the API (rather than made by this sync to be created). */
    private static boolean exists(Pod pod) {
        return pod.getMetadata().getUid() != null;
    }
}
