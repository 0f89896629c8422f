package io.qube.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.Selectors;
import io.qube.controller.api.ControllerQueue;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The pod handler of a controller that owns pods (ReplicaSet, Job, DaemonSet, StatefulSet; the Deployment through its
 * ReplicaSets), as Kubernetes' addPod/updatePod/deletePod of those controllers: a pod's controller reference is
 * resolved to the owner in the informer's cache (same kind, name and uid), that owner's key is enqueued and its
 * {@link Expectations} observe the creation or deletion; an orphan enqueues every owner whose selector matches it,
 * which may adopt it; when a pod's controller reference changes the former owner is enqueued too, for it has lost
 * a pod. A pod being deleted counts as deleted, as soon as it is marked.
 *
 * @param <O> the owner's type
 */
public final class OwnedPods<O extends HasMetadata> implements ResourceEventHandler<Pod> {

    private final String apiVersion;
    private final String kind;
    private final SharedIndexInformer<O> owners;
    private final Function<O, LabelSelector> selector;
    private final Expectations expectations;
    private final Consumer<O> enqueue;
    private volatile Consumer<O> becameReady = owner -> {
    };

    /**
     * @param selector     the owner's pod selector (null: it adopts nothing)
     * @param expectations the owner's expectations, keyed by namespace/name; null if it keeps none
     * @param enqueue      queues a sync of the owner
     */
    public OwnedPods(String apiVersion, String kind, SharedIndexInformer<O> owners, Function<O, LabelSelector> selector,
                     Expectations expectations, Consumer<O> enqueue) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.owners = owners;
        this.selector = selector;
        this.expectations = expectations;
        this.enqueue = enqueue;
    }

    /**
     * Also looks at the owner again once one of its pods that turned Ready has become available, minReadySeconds
     * later, which no event announces (with a second's margin for clock skew).
     */
    public OwnedPods<O> recheckWhenAvailable(ToIntFunction<O> minReadySeconds, ControllerQueue queue) {
        this.becameReady = owner -> {
            int seconds = minReadySeconds.applyAsInt(owner);
            if (seconds > 0) {
                queue.addAfter(Cache.metaNamespaceKeyFunc(owner), Duration.ofSeconds(seconds + 1L));
            }
        };
        return this;
    }

    @Override
    public void onAdd(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // A restarted informer can list a pod already marked for deletion: it must not count as created.
            onDelete(pod, false);
            return;
        }
        O owner = owner(pod);
        if (owner != null && expectations != null) {
            expectations.creationObserved(Cache.metaNamespaceKeyFunc(owner));
        }
        enqueueOwnerOrAdopters(pod);
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
            return; // a resync: nothing changed
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            onDelete(pod, false);
            return;
        }
        enqueueFormerOwner(old, pod);
        O owner = owner(pod);
        if (owner != null) {
            enqueue.accept(owner);
            if (!ActivePods.isReady(old) && ActivePods.isReady(pod)) {
                becameReady.accept(owner);
            }
        } else if (ControllerRefs.controllerOf(pod) == null) {
            enqueueSelecting(pod);
        }
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
        O owner = owner(pod);
        if (owner != null) {
            if (expectations != null) {
                expectations.deletionObserved(Cache.metaNamespaceKeyFunc(owner), Cache.metaNamespaceKeyFunc(pod));
            }
            enqueue.accept(owner);
        }
    }

    /** The owner in the cache that controls the object (a pod, or any other object it owns), or null. */
    public O owner(HasMetadata object) {
        return resolve(object.getMetadata().getNamespace(), ControllerRefs.controllerOf(object));
    }

    /** The object's owner; for an orphan (no controller at all), every owner that could adopt it. */
    public void enqueueOwnerOrAdopters(HasMetadata object) {
        O owner = owner(object);
        if (owner != null) {
            enqueue.accept(owner);
        } else if (ControllerRefs.controllerOf(object) == null) {
            enqueueSelecting(object);
        }
    }

    /** The object's controller reference changed: the former owner, if it still exists, has lost it. */
    public void enqueueFormerOwner(HasMetadata old, HasMetadata object) {
        OwnerReference before = ControllerRefs.controllerOf(old);
        if (before != null && !before.equals(ControllerRefs.controllerOf(object))) {
            O former = resolve(old.getMetadata().getNamespace(), before);
            if (former != null) {
                enqueue.accept(former);
            }
        }
    }

    /** An orphan: every owner in its namespace that could adopt it. */
    private void enqueueSelecting(HasMetadata orphan) {
        for (O owner : owners.getIndexer().byIndex(Cache.NAMESPACE_INDEX, orphan.getMetadata().getNamespace())) {
            LabelSelector ownerSelector = selector.apply(owner);
            if (ownerSelector != null && Selectors.matches(ownerSelector, orphan.getMetadata().getLabels())) {
                enqueue.accept(owner);
            }
        }
    }

    private O resolve(String namespace, OwnerReference reference) {
        if (reference == null || !kind.equals(reference.getKind()) || !apiVersion.equals(reference.getApiVersion())) {
            return null;
        }
        O owner = owners.getIndexer().getByKey(namespace + "/" + reference.getName());
        return owner != null && Objects.equals(owner.getMetadata().getUid(), reference.getUid()) ? owner : null;
    }
}
