package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ControllerRefs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Deployment brought a step closer to its template, as kube-controller-manager's syncDeployment does: its
 * ReplicaSets claimed; when paused or merely rescaled, replicas spread over the active ReplicaSets; otherwise one
 * step of its strategy; old revisions beyond revisionHistoryLimit deleted once complete; status written.
 */
final class DeploymentSync {

    private final KubernetesClient client;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final Scaler scaler;
    private final RollingUpdate rolling;
    private final Recreate recreate;

    DeploymentSync(KubernetesClient client, SharedIndexInformer<Deployment> deployments,
                   SharedIndexInformer<ReplicaSet> replicaSets, SharedIndexInformer<Pod> pods, EventRecorder events) {
        this.client = client;
        this.deployments = deployments;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.events = events;
        this.scaler = new Scaler(client, events);
        this.rolling = new RollingUpdate(scaler);
        this.recreate = new Recreate(scaler);
    }

    WorkQueue.Outcome sync(String key) {
        Deployment cached = deployments.getIndexer().getByKey(key);
        if (cached == null) {
            return WorkQueue.Outcome.DONE;
        }
        // Copies: the steps below update what they scale, and the informers' objects are shared.
        Deployment deployment = new DeploymentBuilder(cached).build();
        String namespace = deployment.getMetadata().getNamespace();
        List<ReplicaSet> sets = new ArrayList<>();
        for (ReplicaSet set : ControllerRefs.claim(client, deployment, deployment.getSpec().getSelector(),
                replicaSets)) {
            sets.add(new ReplicaSetBuilder(set).build());
        }
        Instant now = Instant.now();
        if (deployment.getMetadata().getDeletionTimestamp() != null) {
            return writeStatus(deployment, Revisions.newReplicaSet(deployment, sets), sets, null, false, now);
        }
        DeploymentCondition pause = pauseCondition(deployment, now);
        if (Boolean.TRUE.equals(deployment.getSpec().getPaused()) || isScalingEvent(deployment, sets)) {
            ReplicaSet newSet = newReplicaSet(deployment, sets, false);
            scale(deployment, newSet, others(sets, newSet));
            if (Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
                cleanUp(deployment, others(sets, newSet));
            }
            // A rescale is no rollout: Progressing stays as it is (Kubernetes' syncDeploymentStatus).
            return writeStatus(deployment, newSet, sets, pause, false, now);
        }
        if (Strategies.isRecreate(deployment)) {
            return rolloutRecreate(deployment, sets, pause, now);
        }
        return rolloutRolling(deployment, sets, pause, now);
    }

    private WorkQueue.Outcome rolloutRolling(Deployment deployment, List<ReplicaSet> sets, DeploymentCondition pause,
                                             Instant now) {
        ReplicaSet newSet = newReplicaSet(deployment, sets, true);
        if (newSet == null) {
            return WorkQueue.Outcome.FAILED;
        }
        List<ReplicaSet> oldSets = others(sets, newSet);
        if (!rolling.step(deployment, newSet, oldSets) && completeNow(deployment, newSet, sets)) {
            cleanUp(deployment, oldSets);
        }
        return writeStatus(deployment, newSet, sets, pause, true, now);
    }

    private WorkQueue.Outcome rolloutRecreate(Deployment deployment, List<ReplicaSet> sets, DeploymentCondition pause,
                                              Instant now) {
        ReplicaSet existing = newReplicaSet(deployment, sets, false);
        List<ReplicaSet> oldSets = others(sets, existing);
        if (recreate.scaleDownOld(deployment, oldSets)
                || Recreate.oldPodsRunning(oldSets, pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX,
                deployment.getMetadata().getNamespace()))) {
            return writeStatus(deployment, existing, sets, pause, true, now);
        }
        ReplicaSet newSet = existing != null ? existing : newReplicaSet(deployment, sets, true);
        if (newSet == null) {
            return WorkQueue.Outcome.FAILED;
        }
        recreate.scaleUpNew(deployment, newSet);
        if (completeNow(deployment, newSet, sets)) {
            cleanUp(deployment, others(sets, newSet));
        }
        return writeStatus(deployment, newSet, sets, pause, true, now);
    }

    /**
     * The ReplicaSet for the Deployment's current template, its revision raised above every other's (a rollback
     * to an old template reuses that ReplicaSet under a new revision); created when asked to and missing.
     * Null when it had to be created and could not be.
     */
    private ReplicaSet newReplicaSet(Deployment deployment, List<ReplicaSet> sets, boolean create) {
        ReplicaSet existing = Revisions.newReplicaSet(deployment, sets);
        long revision = Revisions.maxRevision(others(sets, existing)) + 1;
        if (existing != null) {
            if (Revisions.revision(existing) < revision) {
                existing = setRevision(existing, revision);
            }
            recordRevision(deployment, Revisions.revision(existing));
            return existing;
        }
        if (!create) {
            return null;
        }
        ReplicaSet created = ReplicaSetFactory.create(client, deployment, revision,
                RollingUpdate.newReplicas(deployment, null, sets), events);
        if (created == null) {
            return null;
        }
        sets.add(created);
        recordRevision(deployment, revision);
        Progress.record(statusOf(deployment), Progress.condition(Progress.PROGRESSING, "True",
                "NewReplicaSetCreated", "Created new replica set \"" + created.getMetadata().getName() + "\"",
                Instant.now()));
        return created;
    }

    private ReplicaSet setRevision(ReplicaSet set, long revision) {
        long old = Revisions.revision(set);
        ReplicaSet updated = client.apps().replicaSets().inNamespace(set.getMetadata().getNamespace())
                .withName(set.getMetadata().getName()).edit(current -> {
                    Map<String, String> annotations = new HashMap<>(current.getMetadata().getAnnotations() == null
                            ? Map.of() : current.getMetadata().getAnnotations());
                    annotations.put(Revisions.REVISION, Long.toString(revision));
                    if (old > 0) {
                        String history = annotations.get(Revisions.REVISION_HISTORY);
                        annotations.put(Revisions.REVISION_HISTORY, history == null || history.isEmpty()
                                ? Long.toString(old) : history + "," + old);
                    }
                    current.getMetadata().setAnnotations(annotations);
                    return current;
                });
        set.setMetadata(updated.getMetadata());
        return set;
    }

    /** The Deployment carries its current revision as an annotation, as {@code kubectl rollout history} reads. */
    private void recordRevision(Deployment deployment, long revision) {
        String value = Long.toString(revision);
        Map<String, String> annotations = deployment.getMetadata().getAnnotations();
        if (annotations != null && value.equals(annotations.get(Revisions.REVISION))) {
            return;
        }
        Deployment updated = client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
                .withName(deployment.getMetadata().getName()).edit(current -> {
                    Map<String, String> copy = new HashMap<>(current.getMetadata().getAnnotations() == null ? Map.of()
                            : current.getMetadata().getAnnotations());
                    copy.put(Revisions.REVISION, value);
                    current.getMetadata().setAnnotations(copy);
                    return current;
                });
        deployment.getMetadata().setAnnotations(updated.getMetadata().getAnnotations());
        deployment.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
    }

    /**
     * A change of replicas alone: some active ReplicaSet was scaled for another replica count than the Deployment
     * now asks (Kubernetes' isScalingEvent, from the desired-replicas annotation).
     */
    private static boolean isScalingEvent(Deployment deployment, List<ReplicaSet> sets) {
        String replicas = Integer.toString(Scaler.replicas(deployment));
        for (ReplicaSet set : sets) {
            if (Scaler.replicas(set) > 0) {
                Map<String, String> annotations = set.getMetadata().getAnnotations();
                String desired = annotations == null ? null : annotations.get(Revisions.DESIRED_REPLICAS);
                if (desired != null && !desired.equals(replicas)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Kubernetes' scale: one active ReplicaSet takes all replicas; a saturated new one leaves the old ones nothing;
     * otherwise what is added or taken away is shared in proportion to each active ReplicaSet's size, within
     * replicas + maxSurge.
     */
    private void scale(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> oldSets) {
        List<ReplicaSet> active = new ArrayList<>();
        if (newSet != null && Scaler.replicas(newSet) > 0) {
            active.add(newSet);
        }
        oldSets.stream().filter(set -> Scaler.replicas(set) > 0).forEach(active::add);
        int replicas = Scaler.replicas(deployment);
        if (active.size() <= 1) {
            ReplicaSet target = active.isEmpty() ? newSet : active.get(0);
            if (target != null) {
                scaler.scale(target, replicas, deployment);
            }
            return;
        }
        if (newSet != null && Scaler.replicas(newSet) == replicas && RollingUpdate.available(newSet) == replicas) {
            oldSets.forEach(set -> scaler.scale(set, 0, deployment));
            return;
        }
        int allowed = replicas + Strategies.maxSurge(deployment);
        int current = active.stream().mapToInt(Scaler::replicas).sum();
        int toAdd = allowed - current;
        if (toAdd == 0) {
            // Nothing to move, but the annotations must say which replica count this was for, or every later
            // sync would take this for a rescale again.
            active.forEach(set -> scaler.scale(set, Scaler.replicas(set), deployment));
            return;
        }
        // Larger first; among equals the newer grows first and the older shrinks first.
        Comparator<ReplicaSet> order = Comparator.comparingInt((ReplicaSet set) -> Scaler.replicas(set)).reversed()
                .thenComparing(toAdd > 0 ? RollingUpdate.byAge().reversed() : RollingUpdate.byAge());
        List<ReplicaSet> ordered = active.stream().sorted(order).toList();
        int left = toAdd;
        List<Integer> targets = new ArrayList<>();
        for (ReplicaSet set : ordered) {
            int share = Scaler.replicas(set) * toAdd / current;
            share = toAdd > 0 ? Math.min(share, left) : Math.max(share, left);
            targets.add(Scaler.replicas(set) + share);
            left -= share;
        }
        targets.set(0, Math.max(0, targets.get(0) + left));
        for (int i = 0; i < ordered.size(); i++) {
            scaler.scale(ordered.get(i), targets.get(i), deployment);
        }
    }

    /** Old revisions beyond revisionHistoryLimit (default 10) whose ReplicaSets have no pods, oldest first. */
    private void cleanUp(Deployment deployment, List<ReplicaSet> oldSets) {
        int limit = deployment.getSpec().getRevisionHistoryLimit() == null ? 10
                : deployment.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> idle = oldSets.stream()
                .filter(set -> Scaler.replicas(set) == 0 && set.getMetadata().getDeletionTimestamp() == null
                        && (set.getStatus() == null || set.getStatus().getReplicas() == null
                        || set.getStatus().getReplicas() == 0))
                .sorted(Comparator.comparingLong(Revisions::revision)).toList();
        for (int i = 0; i < idle.size() - limit; i++) {
            ReplicaSet set = idle.get(i);
            try {
                client.apps().replicaSets().inNamespace(set.getMetadata().getNamespace())
                        .withName(set.getMetadata().getName()).delete();
            } catch (KubernetesClientException e) {
                // Gone already, or changed: the next sync looks again.
            }
        }
    }

    private static boolean completeNow(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> sets) {
        return Progress.complete(deployment, Progress.status(deployment, newSet, sets, Instant.now()));
    }

    private WorkQueue.Outcome writeStatus(Deployment deployment, ReplicaSet newSet, List<ReplicaSet> sets,
                                          DeploymentCondition pause, boolean rollout, Instant now) {
        DeploymentStatus status = Progress.status(deployment, newSet, sets, now);
        if (pause != null) {
            Progress.set(status, pause);
        }
        DeploymentCondition progressing = rollout ? Progress.progressing(deployment, status, newSet, now) : null;
        if (progressing != null) {
            Progress.record(status, progressing);
        }
        Deployment cached = deployments.getIndexer().getByKey(Cache.metaNamespaceKeyFunc(deployment));
        if (cached == null || !Objects.equals(status, cached.getStatus())) {
            deployment.setStatus(status);
            client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
                    .resource(deployment).updateStatus();
        }
        Duration deadline = Progress.untilDeadline(deployment, status, now);
        return deadline == null ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.after(deadline);
    }

    /** Progressing=Unknown DeploymentPaused when paused, DeploymentResumed once resumed; null otherwise. */
    private static DeploymentCondition pauseCondition(Deployment deployment, Instant now) {
        DeploymentCondition current = deployment.getStatus() == null ? null
                : Progress.get(deployment.getStatus(), Progress.PROGRESSING);
        boolean pausedNow = current != null && "DeploymentPaused".equals(current.getReason());
        if (Boolean.TRUE.equals(deployment.getSpec().getPaused()) && !pausedNow) {
            return Progress.condition(Progress.PROGRESSING, "Unknown", "DeploymentPaused", "Deployment is paused",
                    now);
        }
        if (!Boolean.TRUE.equals(deployment.getSpec().getPaused()) && pausedNow) {
            return Progress.condition(Progress.PROGRESSING, "Unknown", "DeploymentResumed", "Deployment is resumed",
                    now);
        }
        return null;
    }

    private static DeploymentStatus statusOf(Deployment deployment) {
        if (deployment.getStatus() == null) {
            deployment.setStatus(new DeploymentStatus());
        }
        return deployment.getStatus();
    }

    private static List<ReplicaSet> others(List<ReplicaSet> sets, ReplicaSet excluded) {
        return sets.stream().filter(set -> set != excluded).toList();
    }
}
