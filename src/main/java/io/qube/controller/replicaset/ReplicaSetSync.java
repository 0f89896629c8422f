package io.qube.controller.replicaset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.EventRecorder;
import io.qube.client.WorkQueue;
import io.qube.controller.ActivePods;
import io.qube.controller.ApiErrors;
import io.qube.controller.ControllerRefs;
import io.qube.controller.Expectations;
import io.qube.client.Selectors;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One ReplicaSet brought to its desired state, from the informers' caches: its pods claimed (matching orphans
 * adopted, owned pods that no longer match released), pods created or deleted toward spec.replicas once the last
 * round's writes have been observed, and its status written.
 */
final class ReplicaSetSync {

    /** Kubernetes' burstReplicas: the most pods created or deleted in one sync. */
    static final int BURST = 500;

    private final KubernetesClient client;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Pod> pods;
    private final Expectations expectations;
    private final EventRecorder events;

    ReplicaSetSync(KubernetesClient client, SharedIndexInformer<ReplicaSet> replicaSets, SharedIndexInformer<Pod> pods,
                   Expectations expectations, EventRecorder events) {
        this.client = client;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.expectations = expectations;
        this.events = events;
    }

    WorkQueue.Outcome sync(String key) {
        ReplicaSet set = replicaSets.getIndexer().getByKey(key);
        if (set == null) {
            expectations.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        // Before the pods are listed, as Kubernetes does: creations observed in between would otherwise be
        // missing from the list while the expectations already say they are seen, and be made twice.
        boolean satisfied = expectations.satisfied(key);
        List<Pod> owned = ControllerRefs.claim(client, set, set.getSpec().getSelector(),
                pods);
        List<Pod> active = owned.stream().filter(ActivePods::isActive).toList();
        String failure = null;
        if (satisfied && set.getMetadata().getDeletionTimestamp() == null) {
            failure = manage(key, set, active);
        }
        Instant now = Instant.now();
        updateStatus(set, active, failure, now);
        // A failed create or delete is tried again after a growing backoff, as Kubernetes' rate-limited requeue.
        return failure != null ? WorkQueue.Outcome.FAILED : requeueForAvailability(set, active, now);
    }

    /** Creates or deletes pods toward spec.replicas; the message of the first failure, if any. */
    private String manage(String key, ReplicaSet set, List<Pod> active) {
        int wanted = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
        int diff = active.size() - wanted;
        if (diff < 0) {
            int count = Math.min(-diff, BURST);
            expectations.expect(key, count, Set.of());
            return createInSlowStart(key, set, count);
        }
        if (diff > 0) {
            List<Pod> doomed = victims(active, Math.min(diff, BURST));
            Set<String> keys = new HashSet<>();
            doomed.forEach(pod -> keys.add(Cache.metaNamespaceKeyFunc(pod)));
            expectations.expect(key, 0, keys);
            String failure = null;
            for (Pod pod : doomed) {
                try {
                    if (client.pods().inNamespace(pod.getMetadata().getNamespace())
                            .withName(pod.getMetadata().getName()).delete().isEmpty()) {
                        // Gone already (fabric8 answers a 404 with nothing deleted): no event will come for it.
                        expectations.deletionObserved(key, Cache.metaNamespaceKeyFunc(pod));
                        continue;
                    }
                    events.normal(set, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    expectations.deletionObserved(key, Cache.metaNamespaceKeyFunc(pod));
                    if (e.getCode() != 404 && failure == null) {
                        failure = ApiErrors.message(e);
                        events.warning(set, "FailedDelete", "Error deleting: " + failure);
                    }
                }
            }
            return failure;
        }
        return null;
    }

    /**
     * Kubernetes' slow start: batches of 1, 2, 4, ... so that a template the API refuses fails once, not hundreds
     * of times; creations skipped after a failing batch will not be observed, so they leave the expectations.
     */
    private String createInSlowStart(String key, ReplicaSet set, int count) {
        int remaining = count;
        int batch = 1;
        while (remaining > 0) {
            int size = Math.min(batch, remaining);
            String failure = null;
            for (int i = 0; i < size; i++) {
                try {
                    Pod created = client.pods().inNamespace(set.getMetadata().getNamespace()).resource(podFor(set))
                            .create();
                    events.normal(set, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    expectations.creationObserved(key);
                    if (failure == null) {
                        failure = ApiErrors.message(e);
                        events.warning(set, "FailedCreate", "Error creating: " + failure);
                    }
                }
            }
            remaining -= size;
            if (failure != null) {
                for (int i = 0; i < remaining; i++) {
                    expectations.creationObserved(key);
                }
                return failure;
            }
            batch *= 2;
        }
        return null;
    }


    private static Pod podFor(ReplicaSet set) {
        ObjectMeta template = set.getSpec().getTemplate().getMetadata() == null ? new ObjectMeta()
                : set.getSpec().getTemplate().getMetadata();
        return new PodBuilder()
                .withNewMetadata()
                .withGenerateName(set.getMetadata().getName() + "-")
                .withNamespace(set.getMetadata().getNamespace())
                .withLabels(template.getLabels())
                .withAnnotations(template.getAnnotations())
                .withFinalizers(template.getFinalizers())
                .withOwnerReferences(ControllerRefs.controllerRef(set))
                .endMetadata()
                .withSpec(set.getSpec().getTemplate().getSpec())
                .build();
    }

    /** The {@code count} pods to delete first, in Kubernetes' order. */
    private static List<Pod> victims(List<Pod> active, int count) {
        Map<String, Integer> colocated = new HashMap<>();
        for (Pod pod : active) {
            String node = pod.getSpec().getNodeName();
            if (node != null && !node.isEmpty()) {
                colocated.merge(node, 1, Integer::sum);
            }
        }
        return active.stream().sorted(ActivePods.deletionOrder(colocated)).limit(count).toList();
    }

    private void updateStatus(ReplicaSet set, List<Pod> active, String failure, Instant now) {
        Map<String, String> templateLabels = set.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : set.getSpec().getTemplate().getMetadata().getLabels();
        int minReadySeconds = set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod pod : active) {
            if (Selectors.containsAll(templateLabels, pod.getMetadata().getLabels())) {
                fullyLabeled++;
            }
            if (ActivePods.isReady(pod)) {
                ready++;
            }
            if (ActivePods.isAvailable(pod, minReadySeconds, now)) {
                available++;
            }
        }
        ReplicaSetStatus current = set.getStatus() == null ? new ReplicaSetStatus() : set.getStatus();
        List<ReplicaSetCondition> conditions = new ArrayList<>(current.getConditions() == null ? List.of()
                : current.getConditions());
        ReplicaSetCondition previous = conditions.stream().filter(c -> "ReplicaFailure".equals(c.getType()))
                .findFirst().orElse(null);
        if (failure != null && previous == null) {
            conditions.add(new ReplicaSetConditionBuilder().withType("ReplicaFailure").withStatus("True")
                    .withReason(active.size() < desired(set) ? "FailedCreate" : "FailedDelete")
                    .withMessage(failure)
                    .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build());
        } else if (failure == null && previous != null) {
            conditions.remove(previous);
        }
        ReplicaSetStatus next = new ReplicaSetStatusBuilder().withReplicas(active.size())
                .withFullyLabeledReplicas(fullyLabeled).withReadyReplicas(ready).withAvailableReplicas(available)
                .withObservedGeneration(set.getMetadata().getGeneration())
                .withConditions(conditions.isEmpty() ? null : conditions).build();
        if (same(current, next)) {
            return;
        }
        ReplicaSet copy = new ReplicaSetBuilder(set).withStatus(next).build();
        client.apps().replicaSets().inNamespace(set.getMetadata().getNamespace()).resource(copy).updateStatus();
    }

    private static int desired(ReplicaSet set) {
        return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    }

    private static boolean same(ReplicaSetStatus a, ReplicaSetStatus b) {
        return Objects.equals(nonNull(a.getReplicas()), nonNull(b.getReplicas()))
                && Objects.equals(nonNull(a.getFullyLabeledReplicas()), nonNull(b.getFullyLabeledReplicas()))
                && Objects.equals(nonNull(a.getReadyReplicas()), nonNull(b.getReadyReplicas()))
                && Objects.equals(nonNull(a.getAvailableReplicas()), nonNull(b.getAvailableReplicas()))
                && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && Objects.equals(emptyIfNull(a.getConditions()), emptyIfNull(b.getConditions()));
    }

    private static int nonNull(Integer value) {
        return value == null ? 0 : value;
    }

    private static List<ReplicaSetCondition> emptyIfNull(List<ReplicaSetCondition> conditions) {
        return conditions == null ? List.of() : conditions;
    }

    /** Ready pods become available minReadySeconds later, with no event to say so: look again then. */
    private static WorkQueue.Outcome requeueForAvailability(ReplicaSet set, List<Pod> active, Instant now) {
        int minReadySeconds = set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
        Instant soonest = null;
        for (Pod pod : active) {
            Instant since = ActivePods.readySince(pod);
            if (since != null && minReadySeconds > 0 && !ActivePods.isAvailable(pod, minReadySeconds, now)) {
                Instant due = since.plusSeconds(minReadySeconds);
                soonest = soonest == null || due.isBefore(soonest) ? due : soonest;
            }
        }
        return soonest == null ? WorkQueue.Outcome.DONE
                : WorkQueue.Outcome.after(Duration.between(now, soonest).plusMillis(100));
    }
}
