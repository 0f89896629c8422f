package io.qube.controller.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.WorkQueue;

import java.time.Duration;
import java.util.function.Function;

/**
 * A controller's {@link WorkQueue} over the controller's life. Its workers start only once the informers have
 * synced, since a reconcile on a half-listed cache would act on objects that exist; keys added before that are
 * dropped, and the controller enqueues every cached object instead when it starts the queue.
 */
public final class ControllerQueue implements AutoCloseable {

    private final String name;
    private final int workers;
    private volatile WorkQueue<String> queue;

    /** @param name the controller's component name, which also names the workers' threads */
    public ControllerQueue(String name, int workers) {
        this.name = name;
        this.workers = workers;
    }

    /** Starts the workers on {@code reconcile}; called once, when the informers have synced. */
    public void start(Function<String, WorkQueue.Outcome> reconcile) {
        queue = new WorkQueue<>(name, workers, reconcile);
    }

    public void add(String key) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(key);
        }
    }

    public void addAfter(String key, Duration delay) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.addAfter(key, delay);
        }
    }

    /** Adds the object's key: namespace/name, or the name alone for a cluster-wide object. */
    public void addKeyOf(HasMetadata object) {
        add(Cache.metaNamespaceKeyFunc(object));
    }

    /** Adds the key of every object the informer holds, as a start does for events missed while it synced. */
    public void addAll(SharedIndexInformer<? extends HasMetadata> informer) {
        informer.getIndexer().list().forEach(this::addKeyOf);
    }

    @Override
    public void close() {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.close();
        }
    }
}
