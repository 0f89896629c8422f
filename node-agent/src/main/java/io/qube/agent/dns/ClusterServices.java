package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.agent.service.ServiceCatalog;

import java.util.List;

/** The Services and EndpointSlices DNS answers from: the agent's {@link ServiceCatalog}, or a fixed set in tests. */
public interface ClusterServices {

    Service service(String namespace, String name);

    /** Whether any Service lives in this namespace. */
    boolean hasServices(String namespace);

    /** The Services with this address as a cluster IP or as an endpoint. */
    List<Service> servicesAt(String address);

    /** The slices labelled with this Service's name. */
    List<EndpointSlice> slices(String namespace, String service);

    static ClusterServices of(ServiceCatalog catalog) {
        return new ClusterServices() {
            @Override
            public Service service(String namespace, String name) {
                return catalog.service(namespace, name);
            }

            @Override
            public boolean hasServices(String namespace) {
                return catalog.hasServices(namespace);
            }

            @Override
            public List<Service> servicesAt(String address) {
                return catalog.servicesAt(address);
            }

            @Override
            public List<EndpointSlice> slices(String namespace, String service) {
                return catalog.slices(namespace, service);
            }
        };
    }
}
