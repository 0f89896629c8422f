package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.apiserver.registry.FieldErrors;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Kubernetes' validation of Endpoints and EndpointSlices: routable addresses and well-formed ports. */
final class EndpointsValidation {

    private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
    private static final int MAX_ENDPOINTS = 1000;
    private static final int MAX_ADDRESSES = 100;
    private static final int MAX_PORTS = 20000;
    private static final int MAX_TOPOLOGY_LABELS = 16;

    private EndpointsValidation() {
    }

    static void endpoints(Endpoints endpoints, FieldErrors errors) {
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
                address(ready.get(j), at + ".addresses[" + j + "]", errors);
            }
            for (int j = 0; j < notReady.size(); j++) {
                address(notReady.get(j), at + ".notReadyAddresses[" + j + "]", errors);
            }
            List<EndpointPort> ports = NullSafe.list(subset.getPorts());
            for (int j = 0; j < ports.size(); j++) {
                port(ports.get(j), ports.size() > 1, at + ".ports[" + j + "]", errors);
            }
        }
    }

    static void endpointSlice(EndpointSlice slice, EndpointSlice old, FieldErrors errors) {
        String addressType = NullSafe.string(slice.getAddressType());
        ContainerValidation.oneOf(addressType, ADDRESS_TYPES, "addressType", errors);
        List<Endpoint> endpoints = NullSafe.list(slice.getEndpoints());
        if (endpoints.size() > MAX_ENDPOINTS) {
            errors.tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS);
        } else {
            for (int i = 0; i < endpoints.size(); i++) {
                endpoint(endpoints.get(i), addressType, "endpoints[" + i + "]", errors);
            }
        }
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports = NullSafe.list(slice.getPorts());
        if (ports.size() > MAX_PORTS) {
            errors.tooMany("ports", ports.size(), MAX_PORTS);
        } else {
            slicePorts(ports, errors);
        }
        if (old != null && !addressType.equals(NullSafe.string(old.getAddressType()))) {
            errors.invalid("addressType", addressType, "field is immutable");
        }
    }

    private static void address(EndpointAddress address, String path, FieldErrors errors) {
        IpAddresses.validateRoutable(address.getIp(), path + ".ip", errors);
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

    private static void endpoint(Endpoint endpoint, String addressType, String path, FieldErrors errors) {
        List<String> addresses = NullSafe.list(endpoint.getAddresses());
        String addressesPath = path + ".addresses";
        if (addresses.isEmpty()) {
            errors.required(addressesPath, "must contain at least 1 address");
        } else if (addresses.size() > MAX_ADDRESSES) {
            errors.tooMany(addressesPath, addresses.size(), MAX_ADDRESSES);
        }
        for (int i = 0; i < addresses.size(); i++) {
            sliceAddress(NullSafe.string(addresses.get(i)), addressType, addressesPath + "[" + i + "]", errors);
        }
        if (endpoint.getNodeName() != null) {
            NameSyntax.dns1123Subdomain(endpoint.getNodeName()).forEach(problem ->
                    errors.invalid(path + ".nodeName", endpoint.getNodeName(), problem));
        }
        if (NullSafe.map(endpoint.getDeprecatedTopology()).size() > MAX_TOPOLOGY_LABELS) {
            errors.tooMany(path + ".deprecatedTopology", endpoint.getDeprecatedTopology().size(), MAX_TOPOLOGY_LABELS);
        }
        MetadataValidation.validateLabels(endpoint.getDeprecatedTopology(), path + ".deprecatedTopology", errors);
        if (endpoint.getHostname() != null) {
            NameSyntax.dns1123Label(endpoint.getHostname()).forEach(problem ->
                    errors.invalid(path + ".hostname", endpoint.getHostname(), problem));
        }
    }

    /** Addresses are checked by the slice's type; unknown types were reported already. */
    private static void sliceAddress(String address, String addressType, String path, FieldErrors errors) {
        Optional<InetAddress> parsed = IpAddresses.parse(address);
        switch (addressType) {
            case "IPv4" -> {
                if (parsed.filter(ip -> ip instanceof Inet4Address).isEmpty()) {
                    errors.invalid(path, address, "must be a valid IPv4 address");
                } else {
                    IpAddresses.validateRoutable(address, path, errors);
                }
            }
            case "IPv6" -> {
                if (parsed.filter(ip -> ip instanceof Inet6Address).isEmpty()) {
                    errors.invalid(path, address, "must be a valid IPv6 address");
                } else {
                    IpAddresses.validateRoutable(address, path, errors);
                }
            }
            case "FQDN" -> fullyQualifiedDomainName(address, path, errors);
            default -> {
            }
        }
    }

    private static void fullyQualifiedDomainName(String address, String path, FieldErrors errors) {
        if (address.isEmpty()) {
            errors.required(path, "");
            return;
        }
        String name = address.endsWith(".") ? address.substring(0, address.length() - 1) : address;
        List<String> problems = NameSyntax.dns1123Subdomain(name);
        if (!problems.isEmpty()) {
            errors.invalid(path, name, String.join(",", problems));
        } else if (!name.contains(".")) {
            errors.invalid(path, name, "should be a domain with at least two segments separated by dots");
        }
    }

    private static void slicePorts(List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports,
                                   FieldErrors errors) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort port = ports.get(i);
            String at = "ports[" + i + "]";
            String name = NullSafe.string(port.getName());
            if (!name.isEmpty()) {
                NameSyntax.dns1123Label(name).forEach(problem -> errors.invalid(at + ".name", name, problem));
            }
            if (!names.add(name)) {
                errors.duplicate(at + ".name", name);
            }
            if (port.getProtocol() == null) {
                errors.required(at + ".protocol", "");
            } else if (!ContainerValidation.PROTOCOLS.contains(port.getProtocol())) {
                errors.notSupported(at + ".protocol", port.getProtocol(), ContainerValidation.PROTOCOLS);
            }
            appProtocol(port.getAppProtocol(), at, errors);
        }
    }

    private static void appProtocol(String appProtocol, String path, FieldErrors errors) {
        if (appProtocol != null) {
            NameSyntax.qualifiedName(appProtocol).forEach(problem -> errors.invalid(path + ".appProtocol", appProtocol, problem));
        }
    }
}
