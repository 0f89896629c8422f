package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' garbage collector over every kind it is given. The informers' handlers keep the {@link OwnerGraph}
 * and enqueue the uids an event may concern (an object whose owner is not known or waits for its dependents, the
 * dependents of an object that went, an owner being deleted with Orphan or Foreground, the foreground owner of a
 * dependent that changed); {@link Collector#sync} does the rest.
 */
public final class GarbageCollector implements Controller {

    static final String COMPONENT = "garbage-collector-controller";
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);
    private static final Duration CATCH_UP_PATIENCE = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final List<Class<? extends HasMetadata>> kinds;
    private final int workers;
    private final OwnerGraph graph = new OwnerGraph();
    private volatile WorkQueue<String> queue;

    /** {@code kinds}: every kind whose objects may own or be owned. */
    public GarbageCollector(KubernetesClient client, List<Class<? extends HasMetadata>> kinds, int workers) {
        this.client = client;
        this.kinds = List.copyOf(kinds);
        this.workers = workers;
    }

    @Override
    public void start(Informers informers) {
        List<SharedIndexInformer<? extends HasMetadata>> watched = new ArrayList<>();
        Map<String, Class<? extends HasMetadata>> byReference = new HashMap<>();
        for (Class<? extends HasMetadata> kind : kinds) {
            watched.add(watch(informers, kind));
            byReference.put(HasMetadata.getApiVersion(kind) + "/" + HasMetadata.getKind(kind), kind);
        }
        informers.awaitSynced();
        awaitGraphCaughtUp(watched);
        Collector collector = new Collector(graph, new LiveObjects(client), byReference, this::enqueue);
        queue = new WorkQueue<>(COMPONENT, workers, collector::sync);
        // Events seen while the graph filled were not queued: every object gets one look now.
        graph.uids().forEach(this::enqueue);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(Informers informers, Class<T> kind) {
        SharedIndexInformer<T> informer = informers.of(kind);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                changed(object);
            }

            @Override
            public void onUpdate(T old, T object) {
                changed(object);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                gone(object);
            }
        });
        return informer;
    }

    private void changed(HasMetadata object) {
        GraphNode node = GraphNode.of(object);
        graph.put(node);
        if (node.orphaning() || node.deletingForeground()) {
            enqueue(node.uid());
        }
        for (OwnerReference ref : node.owners()) {
            GraphNode owner = graph.get(ref.getUid());
            if (owner == null || owner.deletingForeground()) {
                // An owner this collector has not seen may be gone; one waiting for its dependents wants this gone.
                enqueue(node.uid());
            }
            if (owner != null && owner.deletingForeground()) {
                // ...and hears of every change of a dependent, to tell when none is left to block it.
                enqueue(owner.uid());
            }
        }
    }

    private void gone(HasMetadata object) {
        String uid = object.getMetadata().getUid();
        GraphNode node = graph.get(uid);
        graph.remove(uid);
        for (GraphNode dependent : graph.dependentsOf(uid)) {
            enqueue(dependent.uid());
        }
        if (node != null) {
            for (OwnerReference ref : node.owners()) {
                GraphNode owner = graph.get(ref.getUid());
                if (owner != null && owner.deletingForeground()) {
                    enqueue(owner.uid());
                }
            }
        }
    }

    private void enqueue(String uid) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(uid);
        }
    }

    /**
     * Informers already running before this collector added its handlers hand it their objects asynchronously:
     * waits until every object they hold has reached the graph, so that no dependent looks ownerless to a
     * Foreground or Orphan owner for want of a notification still on its way.
     */
    private void awaitGraphCaughtUp(List<SharedIndexInformer<? extends HasMetadata>> watched) {
        List<HasMetadata> missing = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : watched) {
            for (HasMetadata object : informer.getIndexer().list()) {
                if (graph.get(object.getMetadata().getUid()) == null) {
                    missing.add(object);
                }
            }
        }
        Instant deadline = Instant.now().plus(CATCH_UP_PATIENCE);
        while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
            // An object deleted meanwhile will never arrive: only those still cached are waited for.
            missing.removeIf(o -> graph.get(o.getMetadata().getUid()) != null || !stillCached(watched, o));
            if (!missing.isEmpty()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!missing.isEmpty()) {
            LOG.warnf("the garbage collector starts with %d objects not yet in its graph", missing.size());
        }
    }

    private static boolean stillCached(List<SharedIndexInformer<? extends HasMetadata>> watched, HasMetadata object) {
        for (SharedIndexInformer<? extends HasMetadata> informer : watched) {
            if (informer.getApiTypeClass().equals(object.getClass())) {
                HasMetadata cached = informer.getIndexer().getByKey(
                        Cache.metaNamespaceKeyFunc(object));
                return cached != null && cached.getMetadata().getUid().equals(object.getMetadata().getUid());
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
    }
}
