package io.qube.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.qube.client.Selectors;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Controller references as Kubernetes' ControllerRefManager handles them: an owner claims the objects it controls
 * whose labels its selector still matches, adopts matching orphans and releases objects relabelled away from it.
 */
public final class ControllerRefs {

    private static final Logger LOG = Logger.getLogger(ControllerRefs.class);

    private ControllerRefs() {
    }

    /** The reference an owner puts on what it controls. */
    public static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    /** The object's controller reference, or null. */
    public static OwnerReference controllerOf(HasMetadata object) {
        List<OwnerReference> references = object.getMetadata().getOwnerReferences();
        if (references != null) {
            for (OwnerReference reference : references) {
                if (Boolean.TRUE.equals(reference.getController())) {
                    return reference;
                }
            }
        }
        return null;
    }

    /** Whether {@code object}'s controller is of this kind; its name then, else null. */
    public static String controllerName(HasMetadata object, String apiVersion, String kind) {
        OwnerReference controller = controllerOf(object);
        return controller != null && kind.equals(controller.getKind()) && apiVersion.equals(controller.getApiVersion())
                ? controller.getName() : null;
    }

    /**
     * The name of the index every shared informer keeps by controller: the controller's uid, or for an object
     * without one "orphan/" and its namespace. An owner's candidates are then the objects it controls and the
     * orphans of its namespace, not every object there: with 100 ReplicaSets in a namespace, a sync no longer
     * walks the pods of all of them.
     */
    public static final String CONTROLLER_INDEX = "controller";

    /** The object's key in {@link #CONTROLLER_INDEX}. */
    public static List<String> controllerIndexKeys(HasMetadata object) {
        OwnerReference controller = controllerOf(object);
        return List.of(controller != null ? controller.getUid() : "orphan/" + object.getMetadata().getNamespace());
    }

    /**
     * What {@code owner} controls of the informer's objects once orphans its selector matches are adopted and
     * controlled objects it no longer matches are released. An owner being deleted adopts nothing and releases
     * nothing.
     */
    public static <T extends HasMetadata> List<T> claim(KubernetesClient client, HasMetadata owner,
                                                        LabelSelector selector, SharedIndexInformer<T> informer) {
        Indexer<T> indexer = informer.getIndexer();
        List<T> candidates = new ArrayList<>(indexer.byIndex(CONTROLLER_INDEX, owner.getMetadata().getUid()));
        candidates.addAll(indexer.byIndex(CONTROLLER_INDEX, "orphan/" + owner.getMetadata().getNamespace()));
        List<T> claimed = new ArrayList<>();
        String uid = owner.getMetadata().getUid();
        boolean deleting = owner.getMetadata().getDeletionTimestamp() != null;
        for (T candidate : candidates) {
            OwnerReference controller = controllerOf(candidate);
            boolean matches = Selectors.matches(selector, candidate.getMetadata().getLabels());
            if (controller != null && uid.equals(controller.getUid())) {
                if (matches) {
                    claimed.add(candidate);
                } else if (!deleting) {
                    release(client, owner, candidate);
                }
            } else if (controller == null && matches && !deleting
                    && candidate.getMetadata().getDeletionTimestamp() == null && adopt(client, owner, candidate)) {
                claimed.add(candidate);
            }
        }
        return claimed;
    }

    private static <T extends HasMetadata> boolean adopt(KubernetesClient client, HasMetadata owner, T orphan) {
        try {
            client.resource(orphan).edit(current -> {
                if (controllerOf(current) != null) {
                    throw new IllegalStateException("already controlled by " + controllerOf(current).getName());
                }
                List<OwnerReference> references = new ArrayList<>(current.getMetadata().getOwnerReferences());
                references.add(controllerRef(owner));
                current.getMetadata().setOwnerReferences(references);
                return current;
            });
            return true;
        } catch (KubernetesClientException | IllegalStateException e) {
            LOG.debugf("%s %s could not adopt %s %s: %s", owner.getKind(), owner.getMetadata().getName(),
                    orphan.getKind(), orphan.getMetadata().getName(), e.getMessage());
            return false;
        }
    }

    private static <T extends HasMetadata> void release(KubernetesClient client, HasMetadata owner, T object) {
        try {
            client.resource(object).edit(current -> {
                current.getMetadata().getOwnerReferences()
                        .removeIf(reference -> owner.getMetadata().getUid().equals(reference.getUid()));
                return current;
            });
        } catch (KubernetesClientException e) {
            // Gone or changed meanwhile: the owner's next sync looks again.
            LOG.debugf("%s %s could not release %s %s: %s", owner.getKind(), owner.getMetadata().getName(),
                    object.getKind(), object.getMetadata().getName(), e.getMessage());
        }
    }
}
