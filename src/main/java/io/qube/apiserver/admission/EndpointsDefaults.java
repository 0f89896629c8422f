package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/** Ports of Endpoints and EndpointSlices are TCP unless they say otherwise. */
final class EndpointsDefaults {

    private EndpointsDefaults() {
    }

    static void endpoints(Endpoints endpoints) {
        for (EndpointSubset subset : NullSafe.list(endpoints.getSubsets())) {
            for (EndpointPort port : NullSafe.list(subset.getPorts())) {
                if (NullSafe.isEmpty(port.getProtocol())) {
                    port.setProtocol("TCP");
                }
            }
        }
    }

    /** A slice's port name is a pointer in Kubernetes, defaulted to "" (the service's single unnamed port). */
    static void endpointSlice(EndpointSlice slice) {
        for (io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort port : NullSafe.list(slice.getPorts())) {
            if (port.getName() == null) {
                port.setName("");
            }
            if (port.getProtocol() == null) {
                port.setProtocol("TCP");
            }
        }
    }
}
