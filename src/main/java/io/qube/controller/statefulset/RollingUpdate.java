package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.qube.controller.IntOrPercent;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of a StatefulSet's RollingUpdate, as Kubernetes does it with maxUnavailable: from the highest ordinal
 * down to the partition, pods not of the update revision are deleted (to be made again from it) while fewer than
 * maxUnavailable (default 1) of the set's pods are unavailable. OnDelete updates nothing: pods take the update
 * revision only when deleted by someone else.
 */
final class RollingUpdate {

    private RollingUpdate() {
    }

    static void step(StatefulSet set, Pod[] replicas, String updateRevision, int minReadySeconds, Instant now,
                     StatefulPlan plan) {
        if (!isStrategy(set)) {
            return;
        }
        int maxUnavailable = maxUnavailable(set);
        int unavailable = 0;
        for (Pod pod : replicas) {
            if (pod.getMetadata().getUid() == null || !StatefulPods.healthy(pod)
                    || !StatefulPods.available(pod, minReadySeconds, now) || plan.delete.contains(pod)) {
                unavailable++;
            }
        }
        int partition = partition(set);
        int budget = maxUnavailable - unavailable;
        for (int target = replicas.length - 1; target >= partition && budget > 0; target--) {
            Pod pod = replicas[target];
            if (pod.getMetadata().getUid() != null && !Objects.equals(StatefulPods.revision(pod), updateRevision)
                    && !StatefulPods.terminating(pod) && !plan.delete.contains(pod)) {
                plan.delete.add(pod);
                budget--;
            }
        }
    }

    /** Whether the set updates by RollingUpdate (the default) rather than OnDelete. */
    static boolean isStrategy(StatefulSet set) {
        var strategy = set.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
    }

    /** spec.updateStrategy.rollingUpdate.partition, 0 when unset. */
    static int partition(StatefulSet set) {
        var strategy = set.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getRollingUpdate() == null
                || strategy.getRollingUpdate().getPartition() == null ? 0
                : strategy.getRollingUpdate().getPartition();
    }

    /** maxUnavailable of spec.replicas, rounded down, at least 1 (Kubernetes' getStatefulSetMaxUnavailable). */
    static int maxUnavailable(StatefulSet set) {
        var strategy = set.getSpec().getUpdateStrategy();
        IntOrString value = strategy == null || strategy.getRollingUpdate() == null
                || strategy.getRollingUpdate().getMaxUnavailable() == null ? new IntOrString(1)
                : strategy.getRollingUpdate().getMaxUnavailable();
        return Math.max(1, IntOrPercent.scaled(value, StatefulPods.replicas(set), false));
    }
}
