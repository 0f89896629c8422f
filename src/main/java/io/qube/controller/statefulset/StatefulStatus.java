package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;

import java.time.Instant;
import java.util.List;

/**
 * A StatefulSet's status as Kubernetes' computeReplicaStatus counts it: pods created (given a phase), Running and
 * Ready, available, of the current and of the update revision (not being deleted); a RollingUpdate whose pods
 * are all updated and ready makes the update revision current (completeRollingUpdate).
 */
final class StatefulStatus {

    private StatefulStatus() {
    }

    static StatefulSetStatus of(StatefulSet set, List<Pod> pods, StatefulRevisions revisions, Instant now) {
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
        int minReadySeconds = Replicas.minReadySeconds(set);
        for (Pod pod : pods) {
            if (StatefulPods.created(pod)) {
                replicas++;
            }
            if (StatefulPods.runningAndReady(pod)) {
                ready++;
                if (StatefulPods.available(pod, minReadySeconds, now)) {
                    available++;
                }
            }
            if (StatefulPods.created(pod) && !StatefulPods.terminating(pod)) {
                String revision = StatefulPods.revision(pod);
                current += revisions.current().equals(revision) ? 1 : 0;
                updated += revisions.update().equals(revision) ? 1 : 0;
            }
        }
        StatefulSetStatus stored = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
        StatefulSetStatusBuilder status = new StatefulSetStatusBuilder(stored)
                .withObservedGeneration(set.getMetadata().getGeneration()).withReplicas(replicas)
                .withReadyReplicas(ready).withAvailableReplicas(available).withCurrentReplicas(current)
                .withUpdatedReplicas(updated).withCurrentRevision(revisions.current())
                .withUpdateRevision(revisions.update())
                .withCollisionCount(stored.getCollisionCount() == null ? 0 : stored.getCollisionCount());
        if (RollingUpdate.isStrategy(set) && updated == replicas && ready == replicas) {
            status.withCurrentReplicas(updated).withCurrentRevision(revisions.update());
        }
        return status.build();
    }
}
