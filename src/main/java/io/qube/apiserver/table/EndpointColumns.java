package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.apiserver.registry.TableColumn;

import java.util.ArrayList;
import java.util.List;

import static io.qube.apiserver.table.Cells.list;
import static io.qube.apiserver.table.Cells.text;

/** Where a service's traffic goes: Endpoints (NAME ENDPOINTS AGE) and EndpointSlices (NAME ADDRESSTYPE PORTS ...). */
final class EndpointColumns {

    /** A cell lists this many addresses, then says how many more there are. */
    private static final int SHOWN = 3;

    private EndpointColumns() {
    }

    static List<TableColumn<? super Endpoints>> endpoints() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("Endpoints", "string", "The ready addresses with their ports, host:port.",
                        (endpoints, now) -> addresses(endpoints)),
                CommonColumns.age());
    }

    /** NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
    static List<TableColumn<? super EndpointSlice>> endpointSlice() {
        return List.of(
                CommonColumns.name(),
                TableColumn.of("AddressType", "string", "The type of address the slice carries: IPv4, IPv6 or FQDN.",
                        (slice, now) -> text(slice.getAddressType())),
                TableColumn.of("Ports", "string", "The ports the endpoints serve.", (slice, now) -> ports(slice)),
                TableColumn.of("Endpoints", "string", "The addresses of the endpoints.",
                        (slice, now) -> sliceAddresses(slice)),
                CommonColumns.age());
    }

    /** Every ready address once per port ("10.0.0.5:8080"), or bare when a subset has no ports (headless). */
    private static String addresses(Endpoints endpoints) {
        if (list(endpoints.getSubsets()).isEmpty()) {
            return Cells.NONE;
        }
        List<String> entries = new ArrayList<>();
        for (EndpointSubset subset : endpoints.getSubsets()) {
            List<EndpointAddress> addresses = list(subset.getAddresses());
            if (list(subset.getPorts()).isEmpty()) {
                addresses.forEach(address -> entries.add(text(address.getIp())));
                continue;
            }
            for (EndpointPort port : subset.getPorts()) {
                addresses.forEach(address -> entries.add(hostPort(text(address.getIp()), Cells.number(port.getPort()))));
            }
        }
        return firstFew(entries);
    }

    private static String ports(EndpointSlice slice) {
        List<String> ports = new ArrayList<>();
        for (var port : list(slice.getPorts())) {
            // A port without a number stands for all ports; a named one is resolved per endpoint.
            if (port.getPort() != null) {
                ports.add(Integer.toString(port.getPort()));
            } else if (port.getName() != null) {
                ports.add(port.getName());
            } else {
                ports.add("*");
            }
        }
        return firstFewOrUnset(ports);
    }

    private static String sliceAddresses(EndpointSlice slice) {
        List<String> addresses = new ArrayList<>();
        for (Endpoint endpoint : list(slice.getEndpoints())) {
            addresses.addAll(list(endpoint.getAddresses()));
        }
        return firstFewOrUnset(addresses);
    }

    /** IPv6 addresses go in brackets so the port stays readable, as in a URL. */
    private static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String firstFewOrUnset(List<String> entries) {
        return entries.isEmpty() ? "<unset>" : firstFew(entries);
    }

    /** "a,b,c" or "a,b,c + 4 more...". */
    private static String firstFew(List<String> entries) {
        String shown = String.join(",", entries.subList(0, Math.min(SHOWN, entries.size())));
        return entries.size() > SHOWN ? shown + " + " + (entries.size() - SHOWN) + " more..." : shown;
    }
}
