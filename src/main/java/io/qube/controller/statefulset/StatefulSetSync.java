package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ControllerRefs;
import io.qube.controller.Expectations;
import io.qube.controller.history.History;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One StatefulSet brought a step closer to its desired state, as kube-controller-manager's syncStatefulSet does:
 * its pods and revisions claimed, the update revision made; once its last pod writes are observed, the writes
 * {@link Replicas} plans made; old revisions pruned and the status written in any case.
 */
final class StatefulSetSync {

    private static final Logger LOG = Logger.getLogger(StatefulSetSync.class);

    private final KubernetesClient client;
    private final SharedIndexInformer<StatefulSet> sets;
    private final SharedIndexInformer<Pod> pods;
    private final History history;
    private final Expectations expectations;
    private final StatefulPodControl control;

    StatefulSetSync(KubernetesClient client, SharedIndexInformer<StatefulSet> sets, SharedIndexInformer<Pod> pods,
                    SharedIndexInformer<ControllerRevision> revisions,
                    SharedIndexInformer<PersistentVolumeClaim> claims, Expectations expectations,
                    EventRecorder events) {
        this.client = client;
        this.sets = sets;
        this.pods = pods;
        this.history = new History(client, revisions);
        this.expectations = expectations;
        this.control = new StatefulPodControl(client, claims, events);
    }

    WorkQueue.Outcome sync(String key) {
        StatefulSet set = sets.getIndexer().getByKey(key);
        if (set == null) {
            expectations.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        if (set.getMetadata().getDeletionTimestamp() != null) {
            return WorkQueue.Outcome.DONE;
        }
        // Read before the pods are listed, as for the ReplicaSet controller.
        boolean satisfied = expectations.satisfied(key);
        List<Pod> owned = ControllerRefs.claim(client, set, set.getSpec().getSelector(), pods).stream()
                .filter(pod -> StatefulPods.ordinal(set, pod) >= 0).toList();
        History.Owner owner = StatefulRevisions.owner(set);
        History.Revisions revisions;
        try {
            revisions = history.construct(owner, null);
        } catch (KubernetesClientException | History.HashCollision e) {
            LOG.debugf("StatefulSet %s: its revisions could not be written: %s", key, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
        StatefulRevisions current = StatefulRevisions.of(set, revisions);
        Instant now = Instant.now();
        boolean failed = false;
        if (satisfied) {
            failed = !apply(key, set, Replicas.plan(set, owned, current, now));
        }
        try {
            Set<String> inUse = new HashSet<>(List.of(current.current(), current.update()));
            owned.forEach(pod -> inUse.add(StatefulPods.revision(pod)));
            history.cleanUp(owner, revisions.old(), revision -> inUse.contains(revision.getMetadata().getName()));
        } catch (KubernetesClientException e) {
            LOG.debugf("StatefulSet %s: old revisions not deleted: %s", key, e.getMessage());
            failed = true;
        }
        StatefulSetStatus status = StatefulStatus.of(set, owned, current, now);
        if (!writeStatus(set, status)) {
            failed = true;
        }
        if (failed) {
            return WorkQueue.Outcome.FAILED;
        }
        int minReadySeconds = Replicas.minReadySeconds(set);
        // Pods become available with no event to say so; a second's margin for clock skew.
        return minReadySeconds > 0 && !Objects.equals(status.getReadyReplicas(), status.getAvailableReplicas())
                ? WorkQueue.Outcome.after(Duration.ofSeconds(minReadySeconds + 1L)) : WorkQueue.Outcome.DONE;
    }

    /** Makes the plan's writes, stopping at the first failure; false if one failed. */
    private boolean apply(String key, StatefulSet set, StatefulPlan plan) {
        Set<String> deletions = new HashSet<>();
        plan.delete.forEach(pod -> deletions.add(Cache.metaNamespaceKeyFunc(pod)));
        // Before the writes: their events may arrive before this method returns.
        expectations.expect(key, plan.create.size(), deletions);
        int unseen = plan.create.size();
        try {
            for (Pod pod : plan.missingClaims) {
                control.createMissingClaims(set, pod);
            }
            for (Pod pod : plan.retention) {
                control.keepRetentionPolicy(set, pod);
            }
            for (Pod pod : plan.create) {
                control.create(set, pod);
                unseen--;
            }
            for (Pod pod : plan.update) {
                control.update(set, pod);
            }
            for (Pod pod : plan.delete) {
                control.delete(set, pod);
                deletions.remove(Cache.metaNamespaceKeyFunc(pod));
            }
            return true;
        } catch (KubernetesClientException e) {
            LOG.debugf("StatefulSet %s: %s", key, e.getMessage());
            // What failed or was not tried will not be observed.
            for (int i = 0; i < unseen; i++) {
                expectations.creationObserved(key);
            }
            deletions.forEach(pod -> expectations.deletionObserved(key, pod));
            return false;
        }
    }

    /** Writes the status if it changed; false when the write failed. */
    private boolean writeStatus(StatefulSet set, StatefulSetStatus status) {
        if (status.equals(set.getStatus())) {
            return true;
        }
        try {
            client.apps().statefulSets().inNamespace(set.getMetadata().getNamespace())
                    .resource(new StatefulSetBuilder(set).withStatus(status).build()).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            LOG.debugf("StatefulSet %s: status not written: %s", set.getMetadata().getName(), e.getMessage());
            return false;
        }
    }
}
