package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
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
import io.qube.controller.history.History;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One DaemonSet brought a step closer to its desired state, as kube-controller-manager's syncDaemonSet does: its
 * revisions and pods claimed, the current revision made; once its last writes are observed, a daemon pod created
 * on every node that should run one and removed from nodes that should not (failed ones replaced, with backoff),
 * then one RollingUpdate step and the history pruned; status written in any case.
 */
final class DaemonSetSync {

    private static final Logger LOG = Logger.getLogger(DaemonSetSync.class);
    /** Kubernetes' BurstReplicas for DaemonSets: the most pods created or deleted in one sync. */
    static final int BURST = 250;

    private final KubernetesClient client;
    private final SharedIndexInformer<DaemonSet> daemonSets;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final History history;
    private final Expectations expectations;
    private final EventRecorder events;
    private final FailedPodBackoff backoff = new FailedPodBackoff();

    DaemonSetSync(KubernetesClient client, SharedIndexInformer<DaemonSet> daemonSets,
                  SharedIndexInformer<ControllerRevision> revisions, SharedIndexInformer<Pod> pods,
                  SharedIndexInformer<Node> nodes, Expectations expectations, EventRecorder events) {
        this.client = client;
        this.daemonSets = daemonSets;
        this.pods = pods;
        this.nodes = nodes;
        this.history = new History(client, revisions);
        this.expectations = expectations;
        this.events = events;
    }

    /** When to look again without an event to say so (a backoff ending, a pod becoming available). */
    private static final class Wake {
        private Duration after;

        void at(Duration delay) {
            if (after == null || delay.compareTo(after) < 0) {
                after = delay;
            }
        }

        WorkQueue.Outcome outcome() {
            return after == null ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.after(after);
        }
    }

    WorkQueue.Outcome sync(String key) {
        DaemonSet set = daemonSets.getIndexer().getByKey(key);
        if (set == null) {
            expectations.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        if (selectsEverything(set.getSpec().getSelector())) {
            events.warning(set, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return WorkQueue.Outcome.DONE;
        }
        // A DaemonSet being deleted may have lost its revisions already: its status could not be trusted.
        if (set.getMetadata().getDeletionTimestamp() != null) {
            return WorkQueue.Outcome.DONE;
        }
        List<Node> nodeList = nodes.getIndexer().list();
        // Read before the pods are listed, as for the ReplicaSet controller.
        boolean satisfied = expectations.satisfied(key);
        List<Pod> owned = ControllerRefs.claim(client, set, set.getSpec().getSelector(),
                pods);
        History.Revisions revisions;
        try {
            revisions = history.construct(DaemonRevisions.owner(set), owned);
        } catch (KubernetesClientException | History.HashCollision e) {
            LOG.debugf("DaemonSet %s: its revisions could not be written: %s", key, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
        String hash = revisions.hash();
        Instant now = Instant.now();
        Map<String, List<Pod>> byNode = byNode(owned);
        Map<String, DaemonNodes.Placement> placements = DaemonNodes.placements(set, nodeList);
        Wake wake = new Wake();
        if (!satisfied) {
            // Only status: the generation it was asked for is not handled yet.
            return writeStatus(set, placements, byNode, hash, false, now, wake) ? wake.outcome()
                    : WorkQueue.Outcome.FAILED;
        }
        String failure = manage(key, set, placements, byNode, hash, now, wake);
        if (failure == null && expectations.satisfied(key) && isRollingUpdate(set)) {
            Map<String, List<Pod>> withDesired = new HashMap<>(byNode);
            placements.forEach((node, placement) -> {
                if (placement.shouldRun()) {
                    withDesired.putIfAbsent(node, List.of());
                }
            });
            RollingUpdate.Plan plan = RollingUpdate.step(set, withDesired, placements, hash, now);
            failure = syncNodes(key, set, plan.delete(), plan.create(), hash);
        }
        try {
            history.cleanUp(DaemonRevisions.owner(set), revisions.old(), runsTemplateOf(owned));
        } catch (KubernetesClientException e) {
            failure = failure == null ? "failed to clean up revisions of DaemonSet: " + e.getMessage() : failure;
        }
        boolean written = writeStatus(set, placements, byNode, hash, true, now, wake);
        return failure != null || !written ? WorkQueue.Outcome.FAILED : wake.outcome();
    }

    /** A revision whose template a pod still runs, by the hash label they share. */
    private static Predicate<ControllerRevision> runsTemplateOf(List<Pod> pods) {
        Set<String> live = new HashSet<>();
        for (Pod pod : pods) {
            String hash = pod.getMetadata().getLabels() == null ? null
                    : pod.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL);
            if (hash != null && !hash.isEmpty()) {
                live.add(hash);
            }
        }
        return revision -> live.contains(revision.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL));
    }

    private static boolean selectsEverything(LabelSelector selector) {
        return selector != null && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    }

    private static boolean isRollingUpdate(DaemonSet set) {
        return set.getSpec().getUpdateStrategy() != null
                && "RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType());
    }

    /** The pods by the node they are for; finished pods on their way out no longer count. */
    private static Map<String, List<Pod>> byNode(List<Pod> owned) {
        Map<String, List<Pod>> byNode = new HashMap<>();
        for (Pod pod : owned) {
            String node = DaemonNodes.targetNode(pod);
            if (node != null && !DaemonPods.gone(pod)) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
            }
        }
        return byNode;
    }

    /** Pods created where they are missing and deleted where they do not belong; the first failure, if any. */
    private String manage(String key, DaemonSet set, Map<String, DaemonNodes.Placement> placements,
                          Map<String, List<Pod>> byNode, String hash, Instant now, Wake wake) {
        List<String> create = new ArrayList<>();
        List<Pod> delete = new ArrayList<>();
        for (Map.Entry<String, DaemonNodes.Placement> entry : new TreeMap<>(placements).entrySet()) {
            String name = entry.getKey();
            DaemonNodes.Placement placement = entry.getValue();
            List<Pod> daemonPods = byNode.get(name);
            if (placement.shouldRun() && daemonPods == null) {
                create.add(name);
            } else if (placement.shouldContinueRunning() && daemonPods != null) {
                keepOne(set, name, daemonPods, placement, hash, now, create, delete, wake);
            } else if (!placement.shouldContinueRunning() && daemonPods != null) {
                daemonPods.stream().filter(pod -> !DaemonPods.deleting(pod)).forEach(delete::add);
            }
        }
        // A pod for a node that no longer exists is never scheduled, and nobody else would delete it.
        byNode.forEach((node, daemonPods) -> {
            if (!placements.containsKey(node)) {
                daemonPods.stream().filter(pod -> !DaemonPods.bound(pod)).forEach(delete::add);
            }
        });
        return syncNodes(key, set, delete, create, hash);
    }

    /**
     * The pods on a node that keeps its daemon: finished ones deleted (failed ones no more often than the backoff
     * allows), and of the rest only one kept, or with surge one old and one new while the new one comes up.
     */
    private void keepOne(DaemonSet set, String node, List<Pod> daemonPods, DaemonNodes.Placement placement,
                         String hash, Instant now, List<String> create, List<Pod> delete, Wake wake) {
        List<Pod> running = new ArrayList<>();
        for (Pod pod : daemonPods) {
            if (DaemonPods.deleting(pod)) {
                continue;
            }
            String phase = DaemonPods.phase(pod);
            String where = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " on node " + node;
            if ("Failed".equals(phase)) {
                String backoffKey = set.getMetadata().getUid() + "/" + observedGeneration(set) + "/" + node;
                if (backoff.inBackoff(backoffKey, now)) {
                    wake.at(backoff.delay(backoffKey));
                    continue;
                }
                backoff.next(backoffKey, now);
                events.warning(set, "FailedDaemonPod", "Found failed daemon pod " + where + ", will try to kill it");
                delete.add(pod);
            } else if ("Succeeded".equals(phase)) {
                events.normal(set, "SucceededDaemonPod", "Found succeeded daemon pod " + where
                        + ", will try to delete it");
                delete.add(pod);
            } else {
                running.add(pod);
            }
        }
        running.sort(DaemonPods.OLDEST_BOUND_FIRST);
        if (!RollingUpdate.allowsSurge(set)) {
            if (running.size() > 1) {
                delete.addAll(running.subList(1, running.size()));
            }
            return;
        }
        if (running.size() <= 1) {
            if (running.isEmpty() && placement.shouldRun()) {
                create.add(node);
            }
            return;
        }
        // Surge: keep the oldest new pod and the oldest old one; the old one goes once the new one is available.
        Long generation = DaemonRevisions.templateGeneration(set);
        Pod oldestNew = null;
        Pod oldestOld = null;
        for (Pod pod : running) {
            boolean updated = DaemonRevisions.isUpdated(pod, hash, generation);
            if (updated && oldestNew == null) {
                oldestNew = pod;
            } else if (!updated && oldestOld == null) {
                oldestOld = pod;
            } else {
                delete.add(pod);
            }
        }
        if (oldestNew != null && oldestOld != null && (!ActivePods.isReady(oldestOld)
                || ActivePods.isAvailable(oldestNew, RollingUpdate.minReadySeconds(set), now))) {
            delete.add(oldestOld);
        }
    }

    private static long observedGeneration(DaemonSet set) {
        return set.getStatus() == null || set.getStatus().getObservedGeneration() == null ? 0
                : set.getStatus().getObservedGeneration();
    }

    /**
     * Deletes the pods and creates one pod per node, at most {@link #BURST} of each, creations in slow-start
     * batches (1, 2, 4, ...) that stop at the first failing batch; the first failure, if any.
     */
    private String syncNodes(String key, DaemonSet set, List<Pod> delete, List<String> create, String hash) {
        List<String> creating = create.subList(0, Math.min(create.size(), BURST));
        List<Pod> deleting = delete.subList(0, Math.min(delete.size(), BURST));
        Set<String> deletionKeys = new HashSet<>();
        deleting.forEach(pod -> deletionKeys.add(Cache.metaNamespaceKeyFunc(pod)));
        // Before the writes: their events may arrive before this method returns.
        expectations.expect(key, creating.size(), deletionKeys);
        String failure = null;
        Long generation = DaemonRevisions.templateGeneration(set);
        int next = 0;
        for (int batch = 1; next < creating.size() && failure == null; batch *= 2) {
            int end = Math.min(creating.size(), next + batch);
            for (; next < end; next++) {
                String reason = createOn(set, creating.get(next), hash, generation);
                if (reason != null) {
                    expectations.creationObserved(key);
                    failure = failure == null ? reason : failure;
                }
            }
        }
        // Creations skipped after a failing batch will never be observed.
        for (; next < creating.size(); next++) {
            expectations.creationObserved(key);
        }
        for (Pod pod : deleting) {
            Deletion deletion = deletePod(set, pod);
            if (!deletion.eventComing()) {
                expectations.deletionObserved(key, Cache.metaNamespaceKeyFunc(pod));
            }
            failure = failure == null ? deletion.failure() : failure;
        }
        return failure;
    }

    /** The failure's message, or null when the pod was created. */
    private String createOn(DaemonSet set, String node, String hash, Long generation) {
        try {
            Pod created = client.pods().inNamespace(set.getMetadata().getNamespace())
                    .resource(DaemonPods.forNode(set, node, hash, generation)).create();
            events.normal(set, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            return null;
        } catch (KubernetesClientException e) {
            String message = ApiErrors.message(e);
            events.warning(set, "FailedCreate", "Error creating: " + message);
            return message;
        }
    }

    /** A delete's result: whether the informer will report it, and why it failed. */
    private record Deletion(boolean eventComing, String failure) {
    }

    private Deletion deletePod(DaemonSet set, Pod pod) {
        try {
            if (client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .delete().isEmpty()) {
                // Gone already (fabric8 answers a 404 with nothing deleted).
                return new Deletion(false, null);
            }
            events.normal(set, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
            return new Deletion(true, null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return new Deletion(false, null);
            }
            String message = ApiErrors.message(e);
            events.warning(set, "FailedDelete", "Error deleting: " + message);
            return new Deletion(false, message);
        }
    }


    /**
     * Writes the counts Kubernetes keeps for a DaemonSet, counting each node's oldest pod; observedGeneration only
     * when this sync acted on the current generation. False when the write failed.
     */
    private boolean writeStatus(DaemonSet set, Map<String, DaemonNodes.Placement> placements,
                                Map<String, List<Pod>> byNode, String hash, boolean observed, Instant now, Wake wake) {
        int minReadySeconds = RollingUpdate.minReadySeconds(set);
        Long generation = DaemonRevisions.templateGeneration(set);
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int updated = 0;
        int available = 0;
        for (Map.Entry<String, DaemonNodes.Placement> node : placements.entrySet()) {
            List<Pod> daemonPods = byNode.getOrDefault(node.getKey(), List.of());
            boolean scheduled = !daemonPods.isEmpty();
            if (!node.getValue().shouldRun()) {
                misscheduled += scheduled ? 1 : 0;
                continue;
            }
            desired++;
            if (!scheduled) {
                continue;
            }
            current++;
            Pod pod = daemonPods.stream().min(DaemonPods.OLDEST_BOUND_FIRST).get();
            if (ActivePods.isReady(pod)) {
                ready++;
                if (ActivePods.isAvailable(pod, minReadySeconds, now)) {
                    available++;
                } else {
                    wake.at(Duration.between(now, ActivePods.readySince(pod).plusSeconds(minReadySeconds))
                            .plusMillis(100));
                }
            }
            if (DaemonRevisions.isUpdated(pod, hash, generation)) {
                updated++;
            }
        }
        DaemonSetStatus status = set.getStatus() == null ? new DaemonSetStatus() : set.getStatus();
        long observedGeneration = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        long setGeneration = set.getMetadata().getGeneration() == null ? 0 : set.getMetadata().getGeneration();
        if (same(status.getDesiredNumberScheduled(), desired) && same(status.getCurrentNumberScheduled(), current)
                && same(status.getNumberMisscheduled(), misscheduled) && same(status.getNumberReady(), ready)
                && same(status.getUpdatedNumberScheduled(), updated) && same(status.getNumberAvailable(), available)
                && same(status.getNumberUnavailable(), desired - available) && observedGeneration >= setGeneration) {
            return true;
        }
        DaemonSet copy = new DaemonSetBuilder(set).editOrNewStatus()
                .withDesiredNumberScheduled(desired).withCurrentNumberScheduled(current)
                .withNumberMisscheduled(misscheduled).withNumberReady(ready).withUpdatedNumberScheduled(updated)
                .withNumberAvailable(available).withNumberUnavailable(desired - available)
                .withObservedGeneration(observed ? Long.valueOf(setGeneration) : status.getObservedGeneration())
                .endStatus().build();
        try {
            client.apps().daemonSets().inNamespace(set.getMetadata().getNamespace()).resource(copy).updateStatus();
            return true;
        } catch (KubernetesClientException e) {
            LOG.debugf("DaemonSet %s: status not written: %s", set.getMetadata().getName(), e.getMessage());
            return false;
        }
    }

    private static boolean same(Integer stored, int counted) {
        return Objects.equals(stored == null ? 0 : stored, counted);
    }
}
