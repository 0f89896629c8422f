package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.agent.service.ServiceCatalog;

import java.util.List;
import java.util.Map;

/** A fixed set of Services and EndpointSlices, looked up as the agent's catalog looks them up. */
record FixedServices(List<Service> services, List<EndpointSlice> slices) implements ClusterServices {

    @Override
    public Service service(String namespace, String name) {
        return services.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace)
                && s.getMetadata().getName().equals(name)).findFirst().orElse(null);
    }

    @Override
    public boolean hasServices(String namespace) {
        return services.stream().anyMatch(s -> s.getMetadata().getNamespace().equals(namespace));
    }

    /** Every Service: the zone checks each candidate's addresses itself, so a superset answers the same. */
    @Override
    public List<Service> servicesAt(String address) {
        return services;
    }

    @Override
    public List<EndpointSlice> slices(String namespace, String service) {
        return slices.stream().filter(s -> s.getMetadata().getNamespace().equals(namespace)
                && service.equals(labels(s).get(ServiceCatalog.SERVICE_NAME_LABEL))).toList();
    }

    private static Map<String, String> labels(EndpointSlice slice) {
        return slice.getMetadata().getLabels() == null ? Map.of() : slice.getMetadata().getLabels();
    }
}
