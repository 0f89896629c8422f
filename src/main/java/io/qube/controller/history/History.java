package io.qube.controller.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.controller.ControllerRefs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A workload's history as Kubernetes keeps it for DaemonSets and StatefulSets: one ControllerRevision per template
 * it has had, the current one carrying the highest revision number (a rollback to an old template renumbers that
 * revision rather than making another), and old ones beyond revisionHistoryLimit deleted unless still in use.
 */
public final class History {

    /**
     * What the history needs of the workload that owns it.
     *
     * @param object               the DaemonSet or StatefulSet, as its informer holds it
     * @param collisionCount       its status.collisionCount, or null
     * @param revisionHistoryLimit its spec.revisionHistoryLimit, or null for Kubernetes' default of 10
     */
    public record Owner(HasMetadata object, LabelSelector selector, PodTemplateSpec template, Integer collisionCount,
                        Integer revisionHistoryLimit) {
    }

    /** The revision of the workload's current template, and all its others. */
    public record Revisions(ControllerRevision current, List<ControllerRevision> old) {
        public String hash() {
            return current.getMetadata().getLabels().get(TemplateRevisions.HASH_LABEL);
        }

        /** Every revision, oldest number first. */
        public List<ControllerRevision> all() {
            List<ControllerRevision> all = new ArrayList<>(old);
            all.add(current);
            all.sort(Comparator.comparingLong(TemplateRevisions::number));
            return all;
        }
    }

    /** The revision name a different template already holds; collisionCount has been raised, so try again. */
    public static final class HashCollision extends RuntimeException {
        HashCollision(String message) {
            super(message);
        }
    }

    private final KubernetesClient client;
    private final SharedIndexInformer<ControllerRevision> revisions;

    public History(KubernetesClient client, SharedIndexInformer<ControllerRevision> revisions) {
        this.client = client;
        this.revisions = revisions;
    }

    /**
     * The workload's revisions, its current one made or renumbered as needed (Kubernetes' constructHistory and
     * getStatefulSetRevisions).
     *
     * @param relabelled the workload's pods, relabelled with the hash of the surviving revision when duplicates
     *                   of the current template are deleted (the DaemonSet's way); null keeps duplicates, as the
     *                   StatefulSet controller does, whose pods carry a revision's name
     * @throws KubernetesClientException when a write fails; the sync is tried again
     */
    public Revisions construct(Owner owner, List<Pod> relabelled) {
        HasMetadata object = owner.object();
        List<ControllerRevision> claimed = ControllerRefs.claim(client, object, owner.selector(), revisions);
        List<ControllerRevision> current = new ArrayList<>();
        List<ControllerRevision> old = new ArrayList<>();
        for (ControllerRevision revision : claimed) {
            ControllerRevision labelled = withHashLabel(revision);
            (TemplateRevisions.matches(owner.template(), labelled) ? current : old).add(labelled);
        }
        long next = old.stream().mapToLong(TemplateRevisions::number).max().orElse(0) + 1;
        if (current.isEmpty()) {
            return new Revisions(snapshot(owner, next), old);
        }
        ControllerRevision kept = current.stream().max(Comparator.comparingLong(TemplateRevisions::number)).get();
        if (relabelled != null) {
            deduplicate(kept, current, relabelled);
        } else {
            current.stream().filter(revision -> revision != kept).forEach(old::add);
            next = Math.max(next, old.stream().mapToLong(TemplateRevisions::number).max().orElse(0) + 1);
        }
        ControllerRevision renumbered = kept;
        if (TemplateRevisions.number(kept) < next) {
            renumbered = client.apps().controllerRevisions().inNamespace(object.getMetadata().getNamespace())
                    .resource(new ControllerRevisionBuilder(kept).withRevision(next).build()).update();
        }
        return new Revisions(renumbered, old);
    }

    /** Revisions made before the hash label existed are labelled with their name, which cannot collide. */
    private ControllerRevision withHashLabel(ControllerRevision revision) {
        Map<String, String> labels = revision.getMetadata().getLabels();
        if (labels != null && labels.containsKey(TemplateRevisions.HASH_LABEL)) {
            return revision;
        }
        return client.resource(new ControllerRevisionBuilder(revision).editMetadata()
                .addToLabels(TemplateRevisions.HASH_LABEL, revision.getMetadata().getName()).endMetadata().build())
                .update();
    }

    /** Of several revisions of the current template, the highest survives; pods are relabelled onto it first. */
    private void deduplicate(ControllerRevision kept, List<ControllerRevision> current, List<Pod> pods) {
        if (current.size() == 1) {
            return;
        }
        String hash = kept.getMetadata().getLabels().get(TemplateRevisions.HASH_LABEL);
        for (Pod pod : pods) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels == null || !hash.equals(labels.get(TemplateRevisions.HASH_LABEL))) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .edit(p -> new PodBuilder(p).editMetadata()
                                .addToLabels(TemplateRevisions.HASH_LABEL, hash).endMetadata().build());
            }
        }
        for (ControllerRevision duplicate : current) {
            if (duplicate != kept) {
                client.resource(duplicate).delete();
            }
        }
    }

    /** A new revision of the current template, or the one a previous sync made already under its name. */
    private ControllerRevision snapshot(Owner owner, long number) {
        HasMetadata object = owner.object();
        String namespace = object.getMetadata().getNamespace();
        String hash = TemplateRevisions.hash(owner.template(), owner.collisionCount());
        String name = object.getMetadata().getName() + "-" + hash;
        Map<String, String> labels = new HashMap<>(templateLabels(owner.template()));
        labels.put(TemplateRevisions.HASH_LABEL, hash);
        ControllerRevision revision = new ControllerRevisionBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(labels).withAnnotations(object.getMetadata().getAnnotations())
                .withOwnerReferences(ControllerRefs.controllerRef(object)).endMetadata()
                .withData(Serialization.jsonMapper().convertValue(TemplateRevisions.data(owner.template()), Map.class))
                .withRevision(number).build();
        try {
            return client.apps().controllerRevisions().inNamespace(namespace).resource(revision).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        ControllerRevision existing = client.apps().controllerRevisions().inNamespace(namespace).withName(name).get();
        if (existing != null && TemplateRevisions.matches(owner.template(), existing)) {
            return existing;
        }
        // Another template holds the name: count the collision, so that the next hash differs.
        countCollision(owner);
        throw new HashCollision("revision " + name + " holds another template of " + object.getKind() + " "
                + object.getMetadata().getName());
    }

    /**
     * Raises the stored status.collisionCount by one, unless it is no longer the count this sync saw (another
     * sync counted the collision already).
     */
    private void countCollision(Owner owner) {
        HasMetadata fresh = client.resource(owner.object()).get();
        if (fresh == null) {
            return;
        }
        ObjectNode tree = Serialization.jsonMapper().valueToTree(fresh);
        JsonNode stored = tree.path("status").path("collisionCount");
        Integer count = stored.isNumber() ? stored.asInt() : null;
        if (Objects.equals(owner.collisionCount(), count)) {
            tree.withObject("status").put("collisionCount", count == null ? 1 : count + 1);
            client.resource(Serialization.jsonMapper().convertValue(tree, fresh.getClass())).updateStatus();
        }
    }

    /**
     * Deletes the oldest revisions beyond spec.revisionHistoryLimit, except those still in use (Kubernetes'
     * cleanupHistory and truncateHistory).
     */
    public void cleanUp(Owner owner, List<ControllerRevision> old, Predicate<ControllerRevision> inUse) {
        int limit = owner.revisionHistoryLimit() == null ? 10 : owner.revisionHistoryLimit();
        int surplus = old.size() - limit;
        if (surplus <= 0) {
            return;
        }
        List<ControllerRevision> oldestFirst = old.stream()
                .sorted(Comparator.comparingLong(TemplateRevisions::number)).toList();
        for (ControllerRevision revision : oldestFirst) {
            if (surplus <= 0) {
                break;
            }
            if (!inUse.test(revision)) {
                client.resource(revision).delete();
                surplus--;
            }
        }
    }

    private static Map<String, String> templateLabels(PodTemplateSpec template) {
        return template.getMetadata() == null || template.getMetadata().getLabels() == null ? Map.of()
                : template.getMetadata().getLabels();
    }
}
