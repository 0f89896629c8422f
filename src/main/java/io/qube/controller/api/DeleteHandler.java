package io.qube.controller.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.function.Consumer;

/** An informer handler for controllers that care only that an object went (added and changed ones are ignored). */
public final class DeleteHandler<T extends HasMetadata> implements ResourceEventHandler<T> {

    private final Consumer<T> deleted;

    public DeleteHandler(Consumer<T> deleted) {
        this.deleted = deleted;
    }

    @Override
    public void onAdd(T object) {
        // Not a deletion.
    }

    @Override
    public void onUpdate(T old, T object) {
        // Not a deletion.
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
        deleted.accept(object);
    }
}
