package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.qube.controller.ControllerRefs;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Recreate strategy: every old ReplicaSet scaled to zero, then, once none of their pods is left running, the
 * new ReplicaSet created and scaled to replicas in one go.
 */
final class Recreate {

    private final Scaler scaler;

    Recreate(Scaler scaler) {
        this.scaler = scaler;
    }

    /** Scales the old ReplicaSets down; whether any changed. */
    boolean scaleDownOld(Deployment deployment, List<ReplicaSet> oldSets) {
        boolean scaled = false;
        for (ReplicaSet set : oldSets) {
            if (Scaler.replicas(set) != 0) {
                scaled |= scaler.scale(set, 0, deployment);
            }
        }
        return scaled;
    }

    /** Whether pods of the old ReplicaSets still exist and have not finished (Kubernetes' oldPodsRunning). */
    static boolean oldPodsRunning(List<ReplicaSet> oldSets, List<Pod> pods) {
        Set<String> oldUids = oldSets.stream().map(set -> set.getMetadata().getUid()).collect(Collectors.toSet());
        for (ReplicaSet set : oldSets) {
            if (set.getStatus() != null && set.getStatus().getReplicas() != null && set.getStatus().getReplicas() > 0) {
                return true;
            }
        }
        for (Pod pod : pods) {
            OwnerReference owner = ControllerRefs.controllerOf(pod);
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (owner != null && oldUids.contains(owner.getUid()) && !"Succeeded".equals(phase)
                    && !"Failed".equals(phase)) {
                return true;
            }
        }
        return false;
    }

    /** Scales the new ReplicaSet to the Deployment's replicas; whether it changed. */
    boolean scaleUpNew(Deployment deployment, ReplicaSet newSet) {
        return scaler.scale(newSet, Scaler.replicas(deployment), deployment);
    }
}
