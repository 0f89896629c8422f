package io.qube.controller.history;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.qube.controller.OwnedPods;

import java.util.function.Consumer;

/**
 * The ControllerRevision handler of a workload that keeps a history: a revision's owner is enqueued, resolved as
 * its pods' owner is (an orphan enqueues every owner that could adopt it, a changed controller the former one).
 *
 * @param <O> the owner's type
 */
public final class RevisionEvents<O extends HasMetadata> implements ResourceEventHandler<ControllerRevision> {

    private final OwnedPods<O> owned;
    private final Consumer<O> enqueue;

    public RevisionEvents(OwnedPods<O> owned, Consumer<O> enqueue) {
        this.owned = owned;
        this.enqueue = enqueue;
    }

    @Override
    public void onAdd(ControllerRevision revision) {
        owned.enqueueOwnerOrAdopters(revision);
    }

    @Override
    public void onUpdate(ControllerRevision old, ControllerRevision revision) {
        owned.enqueueFormerOwner(old, revision);
        owned.enqueueOwnerOrAdopters(revision);
    }

    @Override
    public void onDelete(ControllerRevision revision, boolean finalStateUnknown) {
        O owner = owned.owner(revision);
        if (owner != null) {
            enqueue.accept(owner);
        }
    }
}
