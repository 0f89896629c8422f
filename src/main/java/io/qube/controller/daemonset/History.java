package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.controller.ControllerRefs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A DaemonSet's history as Kubernetes keeps it: one ControllerRevision per template it has had, the current one
 * carrying the highest revision number (a rollback to an old template renumbers that revision rather than
 * making another), and old ones beyond revisionHistoryLimit deleted unless a pod still runs their template.
 */
final class History {

    /** The revision of the DaemonSet's current template, and all its others. */
    record Revisions(ControllerRevision current, List<ControllerRevision> old) {
        String hash() {
            return current.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL);
        }
    }

    /** The revision name a different template already holds; collisionCount has been raised, so try again. */
    static final class HashCollision extends RuntimeException {
        HashCollision(String message) {
            super(message);
        }
    }

    private final KubernetesClient client;
    private final SharedIndexInformer<ControllerRevision> revisions;

    History(KubernetesClient client, SharedIndexInformer<ControllerRevision> revisions) {
        this.client = client;
        this.revisions = revisions;
    }

    /**
     * The DaemonSet's revisions, its current one made, deduplicated or renumbered as needed (Kubernetes'
     * constructHistory).
     *
     * @param pods the DaemonSet's pods, relabelled onto the surviving revision when duplicates are removed
     * @throws KubernetesClientException when a write fails; the sync is tried again
     */
    Revisions construct(DaemonSet set, List<Pod> pods) {
        List<ControllerRevision> claimed = ControllerRefs.claim(client, set, set.getSpec().getSelector(),
                revisions);
        List<ControllerRevision> current = new ArrayList<>();
        List<ControllerRevision> old = new ArrayList<>();
        for (ControllerRevision revision : claimed) {
            ControllerRevision labelled = withHashLabel(revision);
            (DaemonRevisions.matches(set, labelled) ? current : old).add(labelled);
        }
        long next = old.stream().mapToLong(DaemonRevisions::revision).max().orElse(0) + 1;
        if (current.isEmpty()) {
            return new Revisions(snapshot(set, next), old);
        }
        ControllerRevision kept = deduplicate(current, pods);
        if (DaemonRevisions.revision(kept) < next) {
            kept = client.apps().controllerRevisions().inNamespace(set.getMetadata().getNamespace())
                    .resource(new ControllerRevisionBuilder(kept).withRevision(next).build()).update();
        }
        return new Revisions(kept, old);
    }

    /** Revisions made before the hash label existed are labelled with their name, which cannot collide. */
    private ControllerRevision withHashLabel(ControllerRevision revision) {
        Map<String, String> labels = revision.getMetadata().getLabels();
        if (labels != null && labels.containsKey(DaemonRevisions.HASH_LABEL)) {
            return revision;
        }
        return client.resource(new ControllerRevisionBuilder(revision).editMetadata()
                .addToLabels(DaemonRevisions.HASH_LABEL, revision.getMetadata().getName()).endMetadata().build())
                .update();
    }

    /** Of several revisions of the current template, the highest survives; pods are relabelled onto it first. */
    private ControllerRevision deduplicate(List<ControllerRevision> current, List<Pod> pods) {
        ControllerRevision kept = current.stream().max(Comparator.comparingLong(DaemonRevisions::revision)).get();
        if (current.size() == 1) {
            return kept;
        }
        String hash = kept.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL);
        for (Pod pod : pods) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels == null || !hash.equals(labels.get(DaemonRevisions.HASH_LABEL))) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .edit(p -> new PodBuilder(p).editMetadata()
                                .addToLabels(DaemonRevisions.HASH_LABEL, hash).endMetadata().build());
            }
        }
        for (ControllerRevision duplicate : current) {
            if (duplicate != kept) {
                client.resource(duplicate).delete();
            }
        }
        return kept;
    }

    /** A new revision of the current template, or the one a previous sync made already under its name. */
    private ControllerRevision snapshot(DaemonSet set, long number) {
        String namespace = set.getMetadata().getNamespace();
        String hash = DaemonRevisions.hash(set);
        String name = set.getMetadata().getName() + "-" + hash;
        Map<String, String> labels = new HashMap<>(templateLabels(set));
        labels.put(DaemonRevisions.HASH_LABEL, hash);
        ControllerRevision revision = new ControllerRevisionBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).withAnnotations(set.getMetadata().getAnnotations())
                .withOwnerReferences(ControllerRefs.controllerRef(set)).endMetadata()
                .withData(Serialization.jsonMapper().convertValue(DaemonRevisions.data(set), Map.class))
                .withRevision(number).build();
        try {
            return client.apps().controllerRevisions().inNamespace(namespace).resource(revision).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        ControllerRevision existing = client.apps().controllerRevisions().inNamespace(namespace).withName(name).get();
        if (existing != null && DaemonRevisions.matches(set, existing)) {
            return existing;
        }
        // Another template holds the name: count the collision, so that the next hash differs.
        DaemonSet fresh = client.apps().daemonSets().inNamespace(namespace).withName(set.getMetadata().getName()).get();
        Integer seen = set.getStatus() == null ? null : set.getStatus().getCollisionCount();
        Integer stored = fresh == null || fresh.getStatus() == null ? null : fresh.getStatus().getCollisionCount();
        if (fresh != null && Objects.equals(seen, stored)) {
            client.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder(fresh).editOrNewStatus()
                    .withCollisionCount(stored == null ? 1 : stored + 1).endStatus().build()).updateStatus();
        }
        throw new HashCollision("revision " + name + " holds another template of DaemonSet "
                + set.getMetadata().getName());
    }

    /**
     * Deletes the oldest revisions beyond spec.revisionHistoryLimit, except those whose template a pod still
     * runs (Kubernetes' cleanupHistory).
     */
    void cleanUp(DaemonSet set, List<ControllerRevision> old, List<Pod> pods) {
        int limit = set.getSpec().getRevisionHistoryLimit() == null ? 10 : set.getSpec().getRevisionHistoryLimit();
        int surplus = old.size() - limit;
        if (surplus <= 0) {
            return;
        }
        Set<String> live = new HashSet<>();
        for (Pod pod : pods) {
            String hash = pod.getMetadata().getLabels() == null ? null
                    : pod.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL);
            if (hash != null && !hash.isEmpty()) {
                live.add(hash);
            }
        }
        List<ControllerRevision> oldestFirst = old.stream()
                .sorted(Comparator.comparingLong(DaemonRevisions::revision)).toList();
        for (ControllerRevision revision : oldestFirst) {
            if (surplus <= 0) {
                break;
            }
            if (!live.contains(revision.getMetadata().getLabels().get(DaemonRevisions.HASH_LABEL))) {
                client.resource(revision).delete();
                surplus--;
            }
        }
    }

    private static Map<String, String> templateLabels(DaemonSet set) {
        return set.getSpec().getTemplate().getMetadata() == null
                || set.getSpec().getTemplate().getMetadata().getLabels() == null ? Map.of()
                : set.getSpec().getTemplate().getMetadata().getLabels();
    }
}
