package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.apiserver.registry.FieldErrors;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' validation of an EndpointSlice: addresses of the slice's one type (which never changes), within the
 * size limits that keep slices small, and uniquely named ports.
 */
final class EndpointSliceValidation {

    private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
    private static final int MAX_ENDPOINTS = 1000;
    private static final int MAX_ADDRESSES = 100;
    private static final int MAX_PORTS = 20000;
    private static final int MAX_TOPOLOGY_LABELS = 16;

    private EndpointSliceValidation() {
    }

    static void validate(EndpointSlice slice, EndpointSlice old, FieldErrors errors) {
        // The apiservers' own slices (labelled for the default/kubernetes service) may list loopback addresses.
        boolean loopbackAllowed = slice.getMetadata() != null
                && EndpointsValidation.API_NAMESPACE.equals(slice.getMetadata().getNamespace())
                && EndpointsValidation.API_SERVICE.equals(NullSafe.map(slice.getMetadata().getLabels())
                        .get("kubernetes.io/service-name"));
        String addressType = NullSafe.string(slice.getAddressType());
        ContainerValidation.oneOf(addressType, ADDRESS_TYPES, "addressType", errors);
        List<Endpoint> endpoints = NullSafe.list(slice.getEndpoints());
        if (endpoints.size() > MAX_ENDPOINTS) {
            errors.tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS);
        } else {
            for (int i = 0; i < endpoints.size(); i++) {
                endpoint(endpoints.get(i), addressType, "endpoints[" + i + "]", loopbackAllowed, errors);
            }
        }
        List<EndpointPort> ports = NullSafe.list(slice.getPorts());
        if (ports.size() > MAX_PORTS) {
            errors.tooMany("ports", ports.size(), MAX_PORTS);
        } else {
            ports(ports, errors);
        }
        if (old != null && !addressType.equals(NullSafe.string(old.getAddressType()))) {
            errors.invalid("addressType", addressType, "field is immutable");
        }
    }

    private static void endpoint(Endpoint endpoint, String addressType, String path, boolean loopbackAllowed,
                                 FieldErrors errors) {
        List<String> addresses = NullSafe.list(endpoint.getAddresses());
        String addressesPath = path + ".addresses";
        if (addresses.isEmpty()) {
            errors.required(addressesPath, "must contain at least 1 address");
        } else if (addresses.size() > MAX_ADDRESSES) {
            errors.tooMany(addressesPath, addresses.size(), MAX_ADDRESSES);
        }
        for (int i = 0; i < addresses.size(); i++) {
            address(NullSafe.string(addresses.get(i)), addressType, addressesPath + "[" + i + "]", loopbackAllowed,
                    errors);
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
    private static void address(String address, String addressType, String path, boolean loopbackAllowed,
                                FieldErrors errors) {
        Optional<InetAddress> parsed = IpAddresses.parse(address);
        switch (addressType) {
            case "IPv4" -> {
                if (parsed.filter(ip -> ip instanceof Inet4Address).isEmpty()) {
                    errors.invalid(path, address, "must be a valid IPv4 address");
                } else {
                    IpAddresses.validateRoutable(address, path, errors, loopbackAllowed);
                }
            }
            case "IPv6" -> {
                if (parsed.filter(ip -> ip instanceof Inet6Address).isEmpty()) {
                    errors.invalid(path, address, "must be a valid IPv6 address");
                } else {
                    IpAddresses.validateRoutable(address, path, errors, loopbackAllowed);
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

    private static void ports(List<EndpointPort> ports, FieldErrors errors) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            EndpointPort port = ports.get(i);
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
            EndpointsValidation.appProtocol(port.getAppProtocol(), at, errors);
        }
    }
}
