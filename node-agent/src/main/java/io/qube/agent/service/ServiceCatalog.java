package io.qube.agent.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every Service and EndpointSlice of the cluster, kept by two informers (one list, then one watch each). Readers
 * look objects up at any time; listeners hear that something changed (not what: each recomputes from the cache,
 * as kube-proxy's change trackers feed one sync), on the informers' thread, so they only mark work to do.
 */
public final class ServiceCatalog implements AutoCloseable {

    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final String BY_SERVICE = "service";

    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private ServiceCatalog(SharedIndexInformer<Service> services, SharedIndexInformer<EndpointSlice> slices) {
        this.services = services;
        this.slices = slices;
    }

    /** Starts both informers and returns once each has listed what exists, or throws after {@code waitSeconds}. */
    public static ServiceCatalog start(KubernetesClient client, long waitSeconds) {
        SharedIndexInformer<Service> services = client.services().inAnyNamespace().runnableInformer(0);
        SharedIndexInformer<EndpointSlice> slices = client.discovery().v1().endpointSlices().inAnyNamespace()
                .runnableInformer(0);
        slices.addIndexers(Map.of(BY_SERVICE, slice -> {
            String service = slice.getMetadata().getLabels() == null ? null
                    : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            return service == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + service);
        }));
        ServiceCatalog catalog = new ServiceCatalog(services, slices);
        services.addEventHandler(catalog.notifier());
        slices.addEventHandler(catalog.notifier());
        try {
            services.start().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
            slices.start().toCompletableFuture().get(waitSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            catalog.close();
            throw new IllegalStateException("interrupted while listing Services and EndpointSlices", e);
        } catch (Exception e) {
            catalog.close();
            throw new IllegalStateException("Services and EndpointSlices could not be listed: " + e.getMessage(), e);
        }
        return catalog;
    }

    /** Called after every change to a Service or EndpointSlice, and once for each object of the first listing. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    public Service service(String namespace, String name) {
        return services.getIndexer().getByKey(namespace + "/" + name);
    }

    public List<Service> services() {
        return services.getIndexer().list();
    }

    /** The slices labelled with this Service's name, whoever wrote them (the controller, mirroring, a user). */
    public List<EndpointSlice> slices(String namespace, String service) {
        return slices.getIndexer().byIndex(BY_SERVICE, namespace + "/" + service);
    }

    public List<EndpointSlice> slices() {
        return slices.getIndexer().list();
    }

    private <T extends HasMetadata> ResourceEventHandler<T> notifier() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                listeners.forEach(Runnable::run);
            }

            @Override
            public void onUpdate(T old, T updated) {
                listeners.forEach(Runnable::run);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                listeners.forEach(Runnable::run);
            }
        };
    }

    @Override
    public void close() {
        services.close();
        slices.close();
    }
}
