package io.qube.agent.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import org.xbill.DNS.Address;

import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    private static final String BY_ADDRESS = "address";

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
            String service = serviceName(slice);
            return service == null ? List.of() : List.of(slice.getMetadata().getNamespace() + "/" + service);
        }, BY_ADDRESS, ServiceCatalog::endpointAddresses));
        services.addIndexers(Map.of(BY_ADDRESS, ServiceCatalog::clusterAddresses));
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

    /** Whether any Service lives in this namespace (DNS answers NODATA there, NXDOMAIN elsewhere). */
    public boolean hasServices(String namespace) {
        return !services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).isEmpty();
    }

    /**
     * The Services this address belongs to: those with it as a cluster IP, and those with an endpoint at it (as
     * their slices say). An index lookup, so a reverse query does not walk every Service.
     */
    public List<Service> servicesAt(String address) {
        String key = canonical(address);
        if (key == null) {
            return List.of();
        }
        Set<Service> found = new LinkedHashSet<>(services.getIndexer().byIndex(BY_ADDRESS, key));
        for (EndpointSlice slice : slices.getIndexer().byIndex(BY_ADDRESS, key)) {
            String name = serviceName(slice);
            Service service = name == null ? null : service(slice.getMetadata().getNamespace(), name);
            if (service != null) {
                found.add(service);
            }
        }
        return List.copyOf(found);
    }

    private static String serviceName(EndpointSlice slice) {
        return slice.getMetadata().getLabels() == null ? null
                : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
    }

    private static List<String> clusterAddresses(Service service) {
        if (service.getSpec() == null) {
            return List.of();
        }
        List<String> ips = service.getSpec().getClusterIPs() == null || service.getSpec().getClusterIPs().isEmpty()
                ? Collections.singletonList(service.getSpec().getClusterIP()) : service.getSpec().getClusterIPs();
        return ips.stream().map(ServiceCatalog::canonical).filter(Objects::nonNull).distinct().toList();
    }

    private static List<String> endpointAddresses(EndpointSlice slice) {
        if (slice.getEndpoints() == null) {
            return List.of();
        }
        return slice.getEndpoints().stream().filter(e -> e.getAddresses() != null)
                .flatMap(e -> e.getAddresses().stream()).map(ServiceCatalog::canonical).filter(Objects::nonNull)
                .distinct().toList();
    }

    /** One spelling per address (IPv6 has many), so index keys and lookups meet; null for what is not an IP. */
    private static String canonical(String ip) {
        if (ip == null || ip.isEmpty() || ip.equalsIgnoreCase("None")) {
            return null;
        }
        try {
            return Address.getByAddress(ip).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
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
