package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    private final OwnerGraph graph = new OwnerGraph();
    private final GraphCatchUp catchUp = new GraphCatchUp();
    private final ControllerQueue queue;

    /** {@code kinds}: every kind whose objects may own or be owned. */
    public GarbageCollector(KubernetesClient client, List<Class<? extends HasMetadata>> kinds, int workers) {
        this.client = client;
        this.kinds = List.copyOf(kinds);
        this.queue = new ControllerQueue(COMPONENT, workers);
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
        Collector collector = new Collector(graph, new LiveObjects(client), byReference, queue::add);
        queue.start(collector::sync);
        // Events seen while the graph filled were not queued: every object gets one look now.
        graph.uids().forEach(queue::add);
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
        catchUp.seen(node.uid());
        if (node.orphaning() || node.deletingForeground()) {
            queue.add(node.uid());
        }
        for (OwnerReference ref : node.owners()) {
            GraphNode owner = graph.get(ref.getUid());
            if (owner == null || owner.deletingForeground()) {
                // An owner this collector has not seen may be gone; one waiting for its dependents wants this gone.
                queue.add(node.uid());
            }
            if (owner != null && owner.deletingForeground()) {
                // ...and hears of every change of a dependent, to tell when none is left to block it.
                queue.add(owner.uid());
            }
        }
    }

    private void gone(HasMetadata object) {
        String uid = object.getMetadata().getUid();
        GraphNode node = graph.get(uid);
        graph.remove(uid);
        // A deleted object's add notification came first; it counts as arrived either way.
        catchUp.seen(uid);
        for (GraphNode dependent : graph.dependentsOf(uid)) {
            queue.add(dependent.uid());
        }
        if (node != null) {
            for (OwnerReference ref : node.owners()) {
                GraphNode owner = graph.get(ref.getUid());
                if (owner != null && owner.deletingForeground()) {
                    queue.add(owner.uid());
                }
            }
        }
    }

    /** Waits until every object the informers hold has reached the graph (see {@link GraphCatchUp}). */
    private void awaitGraphCaughtUp(List<SharedIndexInformer<? extends HasMetadata>> watched) {
        List<String> held = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : watched) {
            informer.getIndexer().list().forEach(object -> held.add(object.getMetadata().getUid()));
        }
        try {
            catchUp.await(held, uid -> graph.get(uid) != null).get(CATCH_UP_PATIENCE.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("the garbage collector starts with %d objects not yet in its graph", catchUp.missing());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
