package io.qube.controller.endpoints;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.ServicePods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.DeleteHandler;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.util.Map;

/**
 * Kubernetes' Endpoints controller: each service with a selector gets an Endpoints object of its name listing the
 * pods it selects. Handlers enqueue service keys: a service's own events, the services selecting a pod whose
 * endpoint-relevant state changed, a deleted Endpoints object's service (to recreate it); {@link EndpointsSync}
 * does the rest.
 */
public final class EndpointsController implements Controller {

    static final String COMPONENT = "endpoint-controller";
    /** Endpoints used as a leader-election lock by old components; they have no service and are left alone. */
    static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

    private final KubernetesClient client;
    private final ControllerQueue queue;

    public EndpointsController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<Service> services = informers.of(Service.class);
        services.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
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
        SharedIndexInformer<Endpoints> endpoints = informers.of(Endpoints.class);
        // Only a deletion matters: the service's Endpoints come back.
        endpoints.addEventHandler(new DeleteHandler<>(queue::addKeyOf));
        informers.awaitSynced();
        EndpointsSync sync = new EndpointsSync(client, services, pods, endpoints,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT));
        queue.start(sync::sync);
        queue.addAll(services);
        // Kubernetes' checkLeftoverEndpoints: Endpoints whose service went while no controller ran are deleted.
        for (Endpoints object : endpoints.getIndexer().list()) {
            Map<String, String> annotations = object.getMetadata().getAnnotations();
            if (annotations == null || !annotations.containsKey(LEADER_ANNOTATION)) {
                queue.addKeyOf(object);
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
