package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;

/**
 * Kubernetes' validation of Endpoints: routable addresses and well-formed ports. One exception: the apiserver's own
 * {@code default/kubernetes} Endpoints may list loopback addresses, where a Qube that listens only on loopback (the
 * default) is reached.
 */
final class EndpointsValidation {

    /** The namespace and name of the Endpoints (and EndpointSlices) of the apiservers' own service. */
    static final String API_NAMESPACE = "default";
    static final String API_SERVICE = "kubernetes";

    private EndpointsValidation() {
    }

    static void validate(Endpoints endpoints, FieldErrors errors) {
        boolean loopbackAllowed = endpoints.getMetadata() != null
                && API_NAMESPACE.equals(endpoints.getMetadata().getNamespace())
                && API_SERVICE.equals(endpoints.getMetadata().getName());
        List<EndpointSubset> subsets = NullSafe.list(endpoints.getSubsets());
        for (int i = 0; i < subsets.size(); i++) {
            EndpointSubset subset = subsets.get(i);
            String at = "subsets[" + i + "]";
            List<EndpointAddress> ready = NullSafe.list(subset.getAddresses());
            List<EndpointAddress> notReady = NullSafe.list(subset.getNotReadyAddresses());
            // Ports alone are fine (a headless service's endpoints may have none), addresses alone too.
            if (ready.isEmpty() && notReady.isEmpty()) {
                errors.required(at, "must specify `addresses` or `notReadyAddresses`");
            }
            for (int j = 0; j < ready.size(); j++) {
                address(ready.get(j), at + ".addresses[" + j + "]", loopbackAllowed, errors);
            }
            for (int j = 0; j < notReady.size(); j++) {
                address(notReady.get(j), at + ".notReadyAddresses[" + j + "]", loopbackAllowed, errors);
            }
            List<EndpointPort> ports = NullSafe.list(subset.getPorts());
            for (int j = 0; j < ports.size(); j++) {
                port(ports.get(j), ports.size() > 1, at + ".ports[" + j + "]", errors);
            }
        }
    }

    private static void address(EndpointAddress address, String path, boolean loopbackAllowed, FieldErrors errors) {
        IpAddresses.validateRoutable(address.getIp(), path + ".ip", errors, loopbackAllowed);
        if (!NullSafe.isEmpty(address.getHostname())) {
            NameSyntax.dns1123Label(address.getHostname()).forEach(problem ->
                    errors.invalid(path + ".hostname", address.getHostname(), problem));
        }
        if (address.getNodeName() != null) {
            NameSyntax.dns1123Subdomain(address.getNodeName()).forEach(problem ->
                    errors.invalid(path + ".nodeName", address.getNodeName(), problem));
        }
    }

    /** Several ports need names: that is how a service's ports find theirs. */
    private static void port(EndpointPort port, boolean nameRequired, String path, FieldErrors errors) {
        String name = NullSafe.string(port.getName());
        if (nameRequired && name.isEmpty()) {
            errors.required(path + ".name", "");
        } else if (!name.isEmpty()) {
            NameSyntax.dns1123Label(name).forEach(problem -> errors.invalid(path + ".name", name, problem));
        }
        int number = port.getPort() == null ? 0 : port.getPort();
        NameSyntax.portNumber(number).forEach(problem -> errors.invalid(path + ".port", number, problem));
        ContainerValidation.oneOf(port.getProtocol(), ContainerValidation.PROTOCOLS, path + ".protocol", errors);
        appProtocol(port.getAppProtocol(), path, errors);
    }

    static void appProtocol(String appProtocol, String path, FieldErrors errors) {
        if (appProtocol != null) {
            NameSyntax.qualifiedName(appProtocol).forEach(problem -> errors.invalid(path + ".appProtocol", appProtocol, problem));
        }
    }
}
