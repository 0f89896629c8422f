package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.controller.CustomKinds;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    /** Every kind this collector reaches, by "apiVersion/kind" as owner references name them. */
    private final Map<String, ResourceDefinitionContext> byReference = new ConcurrentHashMap<>();
    /** The informers of custom kinds, by CRD name: started as their CRDs become established, closed as they go. */
    private final Map<String, CustomKindInformer> customKinds = new ConcurrentHashMap<>();
    private final OwnerGraph graph = new OwnerGraph();
    private final GraphCatchUp catchUp = new GraphCatchUp();
    private final ControllerQueue queue;
    private boolean closed;

    /** {@code kinds}: every kind whose objects may own or be owned. */
    public GarbageCollector(KubernetesClient client, List<Class<? extends HasMetadata>> kinds, int workers) {
        this.client = client;
        this.kinds = List.copyOf(kinds);
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    private record CustomKindInformer(ResourceDefinitionContext kind,
                                      SharedIndexInformer<GenericKubernetesResource> informer) {
    }

    @Override
    public void start(Informers informers) {
        List<SharedIndexInformer<? extends HasMetadata>> watched = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : kinds) {
            ResourceDefinitionContext context = ResourceDefinitionContext.fromResourceType(kind);
            watched.add(watch(informers.of(kind), context));
            byReference.put(HasMetadata.getApiVersion(kind) + "/" + HasMetadata.getKind(kind), context);
        }
        // Custom resources are reached as Kubernetes' collector reaches every served kind: their CRDs say which.
        informers.of(CustomResourceDefinition.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CustomResourceDefinition crd) {
                follow(crd);
            }

            @Override
            public void onUpdate(CustomResourceDefinition old, CustomResourceDefinition crd) {
                follow(crd);
            }

            @Override
            public void onDelete(CustomResourceDefinition crd, boolean finalStateUnknown) {
                unfollow(crd.getMetadata().getName());
            }
        });
        informers.awaitSynced();
        awaitGraphCaughtUp(watched);
        Collector collector = new Collector(graph, new LiveObjects(client), byReference, queue::add);
        queue.start(collector::sync);
        // Events seen while the graph filled were not queued: every object gets one look now.
        graph.uids().forEach(queue::add);
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer,
                                                                 ResourceDefinitionContext kind) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                changed(object, kind);
            }

            @Override
            public void onUpdate(T old, T object) {
                changed(object, kind);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                gone(object.getMetadata().getUid());
            }
        });
        return informer;
    }

    /** Watches an established CRD's objects through the version it serves (again if that version changed). */
    private synchronized void follow(CustomResourceDefinition crd) {
        String name = crd.getMetadata().getName();
        ResourceDefinitionContext kind = established(crd) ? CustomKinds.served(crd) : null;
        CustomKindInformer current = customKinds.get(name);
        if (kind == null || current != null && sameKind(current.kind(), kind)) {
            return;
        }
        unfollow(name);
        if (closed) {
            return;
        }
        SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(kind)
                .inAnyNamespace().runnableInformer(0);
        watch(informer, kind);
        customKinds.put(name, new CustomKindInformer(kind, informer));
        byReference.put(apiVersion(kind) + "/" + kind.getKind(), kind);
        informer.start();
    }

    /** Stops watching a CRD's objects; they went with it (or are read in another version from now on). */
    private synchronized void unfollow(String crdName) {
        CustomKindInformer followed = customKinds.remove(crdName);
        if (followed == null) {
            return;
        }
        followed.informer().close();
        byReference.remove(apiVersion(followed.kind()) + "/" + followed.kind().getKind());
        for (String uid : graph.uids()) {
            GraphNode node = graph.get(uid);
            if (node != null && node.kind() == followed.kind()) {
                gone(uid);
            }
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions()
                .stream().anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean sameKind(ResourceDefinitionContext a, ResourceDefinitionContext b) {
        return a.getGroup().equals(b.getGroup()) && a.getVersion().equals(b.getVersion())
                && a.getPlural().equals(b.getPlural()) && a.getKind().equals(b.getKind())
                && a.isNamespaceScoped() == b.isNamespaceScoped();
    }

    private static String apiVersion(ResourceDefinitionContext kind) {
        return kind.getGroup() == null || kind.getGroup().isEmpty() ? kind.getVersion()
                : kind.getGroup() + "/" + kind.getVersion();
    }

    private void changed(HasMetadata object, ResourceDefinitionContext kind) {
        GraphNode node = GraphNode.of(object, kind);
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

    private void gone(String uid) {
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
    public synchronized void close() {
        closed = true;
        List.copyOf(customKinds.keySet()).forEach(this::unfollow);
        queue.close();
    }
}
