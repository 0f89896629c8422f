package io.qube.controller.endpointslice;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.WorkQueue;
import io.qube.controller.ServicePods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' EndpointSlice controller: the pods a service selects, as EndpointSlices labelled with the service's
 * name and this controller as manager, owned by the service, at most maxEndpointsPerSlice endpoints each.
 * Handlers enqueue service keys (the service's events, the services selecting a changed pod, the service of a
 * changed managed slice, services waiting for a node that appeared); {@link SliceReconciler} plans each sync.
 * The slices of a deleted service are left to the garbage collector, which follows their owner reference, as in
 * Kubernetes; while a service is being deleted no slice is created for it, or the collector would chase new ones.
 */
public final class EndpointSliceController implements Controller {

    static final String COMPONENT = "endpointslice-controller";
    private static final Logger LOG = Logger.getLogger(EndpointSliceController.class);

    private final KubernetesClient client;
    private final SliceReconciler reconciler;
    private final SliceTracker tracker = new SliceTracker(Clock.systemUTC());
    /** Services that left out pods of a node not (yet) known, by that node's name. */
    private final Map<String, Set<String>> waitingForNodes = new ConcurrentHashMap<>();
    private final ControllerQueue queue;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Node> nodes;

    public EndpointSliceController(KubernetesClient client, int workers, int maxEndpointsPerSlice) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
        this.reconciler = new SliceReconciler(maxEndpointsPerSlice);
    }

    @Override
    public void start(Informers informers) {
        services = informers.of(Service.class);
        services.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        pods = informers.of(Pod.class);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                ServicePods.servicesOf(pod, services.getIndexer()).forEach(queue::add);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                ServicePods.servicesToSync(old, pod, services.getIndexer()).forEach(queue::add);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                onAdd(pod);
            }
        });
        slices = informers.of(EndpointSlice.class);
        slices.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                enqueueServiceOf(slice);
            }

            @Override
            public void onUpdate(EndpointSlice old, EndpointSlice slice) {
                enqueueServiceOf(slice);
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                String service = serviceKey(slice);
                if (service != null) {
                    tracker.observedDeletion(service, slice.getMetadata().getName());
                    queue.add(service);
                }
            }
        });
        nodes = informers.of(Node.class);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                Set<String> waiting = waitingForNodes.remove(node.getMetadata().getName());
                if (waiting != null) {
                    waiting.forEach(queue::add);
                }
            }

            @Override
            public void onUpdate(Node old, Node node) {
                onAdd(node);
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                // Pods on a deleted node stay in their slices until they go, as in Kubernetes.
            }
        });
        informers.awaitSynced();
        queue.start(this::sync);
        queue.addAll(services);
    }

    private void enqueueServiceOf(EndpointSlice slice) {
        String service = serviceKey(slice);
        if (service != null) {
            queue.add(service);
        }
    }

    /** namespace/service of a slice this controller manages, else null. */
    private static String serviceKey(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        if (labels == null || !SliceReconciler.MANAGED_BY.equals(labels.get(SliceReconciler.MANAGED_BY_LABEL))) {
            return null;
        }
        String service = labels.get(SliceReconciler.SERVICE_NAME_LABEL);
        return service == null || service.isEmpty() ? null : slice.getMetadata().getNamespace() + "/" + service;
    }

    /** The managed slices of a service, from the informer. */
    private List<EndpointSlice> slicesOf(String key) {
        String namespace = key.substring(0, key.indexOf('/'));
        List<EndpointSlice> found = new ArrayList<>();
        for (EndpointSlice slice : slices.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (key.equals(serviceKey(slice))) {
                found.add(slice);
            }
        }
        return found;
    }

    WorkQueue.Outcome sync(String key) {
        Service service = services.getIndexer().getByKey(key);
        if (service == null) {
            // Its slices are the garbage collector's: they name the service as their owner.
            tracker.forget(key);
            return WorkQueue.Outcome.DONE;
        }
        if (!ServicePods.selectsPods(service)) {
            // Without a selector (or as an ExternalName) the service's slices are someone else's.
            return WorkQueue.Outcome.DONE;
        }
        List<EndpointSlice> existing = slicesOf(key);
        if (tracker.stale(key, existing)) {
            return WorkQueue.Outcome.FAILED; // the informer has not seen this controller's last writes yet
        }
        SliceReconciler.Plan plan = reconciler.reconcile(service, ServicePods.selected(service, pods.getIndexer()),
                name -> nodes.getIndexer().getByKey(name), existing);
        String namespace = service.getMetadata().getNamespace();
        try {
            // As Kubernetes' finalize: a service being deleted gets no new slices, which the collector would
            // only delete again.
            boolean terminating = service.getMetadata().getDeletionTimestamp() != null;
            for (EndpointSlice slice : terminating ? List.<EndpointSlice>of() : plan.create()) {
                tracker.written(key, client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice)
                        .create());
            }
            for (EndpointSlice slice : plan.update()) {
                tracker.written(key, client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice)
                        .update());
            }
            for (EndpointSlice slice : plan.delete()) {
                delete(key, namespace, slice.getMetadata().getName());
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && plan.update().isEmpty() && plan.delete().isEmpty()) {
                return WorkQueue.Outcome.DONE; // the namespace is being deleted: creates will keep failing
            }
            LOG.debugf("endpoint slices of %s: %s", key, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
        if (!plan.missingNodes().isEmpty()) {
            for (String node : plan.missingNodes()) {
                waitingForNodes.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).add(key);
            }
            // Kubernetes syncs such a service again after a backoff, in case the node never comes.
            return WorkQueue.Outcome.FAILED;
        }
        return WorkQueue.Outcome.DONE;
    }

    private void delete(String key, String namespace, String name) {
        try {
            client.discovery().v1().endpointSlices().inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        tracker.deleted(key, name);
    }

    @Override
    public void close() {
        queue.close();
    }
}
