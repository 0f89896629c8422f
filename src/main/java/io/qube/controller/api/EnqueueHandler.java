package io.qube.controller.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.util.function.Consumer;

/** An informer handler that passes every added, changed or deleted object to one enqueue function. */
public final class EnqueueHandler<T extends HasMetadata> implements ResourceEventHandler<T> {

    private final Consumer<T> enqueue;

    public EnqueueHandler(Consumer<T> enqueue) {
        this.enqueue = enqueue;
    }

    @Override
    public void onAdd(T object) {
        enqueue.accept(object);
    }

    @Override
    public void onUpdate(T old, T object) {
        enqueue.accept(object);
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
        enqueue.accept(object);
    }
}
