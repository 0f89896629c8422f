package io.qube.controller.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Endpoints subsets as values that compare by content (fabric8's classes tell an absent list from an empty one),
 * and Kubernetes' RepackSubsets: every address with every port it serves, regrouped so that addresses serving the
 * same ports share one subset, in a canonical order.
 */
final class Subsets {

    /** Kubernetes' maxCapacity: the most addresses one Endpoints object holds. */
    static final int MAX_CAPACITY = 1000;

    record Ref(String kind, String namespace, String name, String uid) {
    }

    record Address(String ip, String hostname, String nodeName, Ref targetRef) {
        /** Kubernetes tells addresses apart by IP and the UID of their target. */
        String key() {
            return ip + "/" + (targetRef == null || targetRef.uid() == null ? "" : targetRef.uid());
        }
    }

    record Port(String name, int port, String protocol, String appProtocol) {
    }

    record Subset(List<Address> ready, List<Address> notReady, List<Port> ports) {
    }

    /** One address serving one port (null: a headless service without ports), ready or not. */
    record Entry(Address address, boolean ready, Port port) {
    }

    private static final Comparator<Address> ADDRESS_ORDER = Comparator.comparing(Address::ip)
            .thenComparing(a -> a.targetRef() == null || a.targetRef().uid() == null ? "" : a.targetRef().uid());
    private static final Comparator<Port> PORT_ORDER = Comparator.comparing((Port p) -> nonNull(p.name()))
            .thenComparingInt(Port::port).thenComparing(p -> nonNull(p.protocol()))
            .thenComparing(p -> nonNull(p.appProtocol()));

    private Subsets() {
    }

    /**
     * Kubernetes' RepackSubsets: an address listed as not ready for a port stays not ready for it; addresses with
     * the same ports (and readiness) form one subset.
     */
    static List<Subset> repack(List<Entry> entries) {
        Map<String, Address> addresses = new HashMap<>();
        // Per port (null for none), each address key and whether it is ready.
        Map<Port, Map<String, Boolean>> byPort = new LinkedHashMap<>();
        Map<String, Boolean> portless = null;
        for (Entry entry : entries) {
            Address address = addresses.computeIfAbsent(entry.address().key(), key -> entry.address());
            Map<String, Boolean> readiness;
            if (entry.port() == null) {
                if (portless == null) {
                    portless = new TreeMap<>();
                }
                readiness = portless;
            } else {
                readiness = byPort.computeIfAbsent(entry.port(), port -> new TreeMap<>());
            }
            readiness.merge(address.key(), entry.ready(), Boolean::logicalAnd);
        }
        // Ports grouped by the exact set of (address, readiness) they have.
        Map<Map<String, Boolean>, List<Port>> groups = new LinkedHashMap<>();
        for (Map.Entry<Port, Map<String, Boolean>> port : byPort.entrySet()) {
            groups.computeIfAbsent(port.getValue(), set -> new ArrayList<>()).add(port.getKey());
        }
        if (portless != null) {
            groups.computeIfAbsent(portless, set -> new ArrayList<>());
        }
        List<Subset> subsets = new ArrayList<>();
        for (Map.Entry<Map<String, Boolean>, List<Port>> group : groups.entrySet()) {
            List<Address> ready = new ArrayList<>();
            List<Address> notReady = new ArrayList<>();
            group.getKey().forEach((key, isReady) -> (isReady ? ready : notReady).add(addresses.get(key)));
            subsets.add(sorted(new Subset(ready, notReady, group.getValue())));
        }
        subsets.sort(Comparator.comparing(Subsets::orderKey));
        return subsets;
    }

    private static Subset sorted(Subset subset) {
        List<Address> ready = new ArrayList<>(subset.ready());
        List<Address> notReady = new ArrayList<>(subset.notReady());
        List<Port> ports = new ArrayList<>(subset.ports());
        ready.sort(ADDRESS_ORDER);
        notReady.sort(ADDRESS_ORDER);
        ports.sort(PORT_ORDER);
        return new Subset(List.copyOf(ready), List.copyOf(notReady), List.copyOf(ports));
    }

    /** Kubernetes orders subsets by a hash of their content; any fixed order does as well. */
    private static String orderKey(Subset subset) {
        StringBuilder key = new StringBuilder();
        for (Port port : subset.ports()) {
            key.append(String.format("%s/%05d/%s;", nonNull(port.name()), port.port(), nonNull(port.protocol())));
        }
        key.append('|');
        Address first = !subset.ready().isEmpty() ? subset.ready().get(0)
                : subset.notReady().isEmpty() ? null : subset.notReady().get(0);
        if (first != null) {
            key.append(first.key());
        }
        return key.toString();
    }

    /**
     * Kubernetes' truncateEndpoints: above {@link #MAX_CAPACITY} addresses, not-ready ones are cut first, each
     * subset keeping its share (rounded up); if the ready ones alone are too many, they are cut the same way and
     * no not-ready address is kept. Returns the subsets as they are when nothing needs cutting.
     */
    static List<Subset> truncate(List<Subset> subsets) {
        int totalReady = 0;
        int totalNotReady = 0;
        for (Subset subset : subsets) {
            totalReady += subset.ready().size();
            totalNotReady += subset.notReady().size();
        }
        if (totalReady + totalNotReady <= MAX_CAPACITY) {
            return subsets;
        }
        boolean truncateReady = totalReady > MAX_CAPACITY;
        int max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
        int total = truncateReady ? totalReady : totalNotReady;
        int canBeAdded = max;
        List<Subset> truncated = new ArrayList<>();
        for (Subset subset : subsets) {
            int inSubset = truncateReady ? subset.ready().size() : subset.notReady().size();
            int toBeAdded = Math.min(canBeAdded, (int) Math.ceil((double) inSubset / total * max));
            if (truncateReady) {
                List<Address> ready = first(subset.ready(), toBeAdded);
                truncated.add(new Subset(ready, List.of(), subset.ports()));
                canBeAdded -= ready.size();
            } else {
                List<Address> notReady = first(subset.notReady(), toBeAdded);
                truncated.add(new Subset(subset.ready(), notReady, subset.ports()));
                canBeAdded -= notReady.size();
            }
        }
        return truncated;
    }

    static boolean overCapacity(List<Subset> subsets) {
        int total = 0;
        for (Subset subset : subsets) {
            total += subset.ready().size() + subset.notReady().size();
        }
        return total > MAX_CAPACITY;
    }

    private static List<Address> first(List<Address> addresses, int count) {
        return addresses.size() <= count ? addresses : List.copyOf(addresses.subList(0, count));
    }

    /** The subsets of a stored Endpoints object, as they are (not repacked). */
    static List<Subset> of(List<EndpointSubset> subsets) {
        List<Subset> values = new ArrayList<>();
        if (subsets == null) {
            return values;
        }
        for (EndpointSubset subset : subsets) {
            List<Port> ports = new ArrayList<>();
            if (subset.getPorts() != null) {
                for (EndpointPort port : subset.getPorts()) {
                    ports.add(new Port(emptyToNull(port.getName()), port.getPort() == null ? 0 : port.getPort(),
                            port.getProtocol(), port.getAppProtocol()));
                }
            }
            values.add(new Subset(addresses(subset.getAddresses()), addresses(subset.getNotReadyAddresses()), ports));
        }
        return values;
    }

    private static List<Address> addresses(List<EndpointAddress> addresses) {
        List<Address> values = new ArrayList<>();
        if (addresses != null) {
            for (EndpointAddress address : addresses) {
                ObjectReference ref = address.getTargetRef();
                values.add(new Address(address.getIp(), emptyToNull(address.getHostname()),
                        emptyToNull(address.getNodeName()), ref == null ? null
                        : new Ref(ref.getKind(), ref.getNamespace(), ref.getName(), ref.getUid())));
            }
        }
        return values;
    }

    /** The subsets as fabric8 objects to write. */
    static List<EndpointSubset> toModel(List<Subset> subsets) {
        List<EndpointSubset> model = new ArrayList<>();
        for (Subset subset : subsets) {
            EndpointSubset out = new EndpointSubset();
            out.setAddresses(toModelAddresses(subset.ready()));
            out.setNotReadyAddresses(toModelAddresses(subset.notReady()));
            List<EndpointPort> ports = new ArrayList<>();
            for (Port port : subset.ports()) {
                ports.add(new EndpointPortBuilder().withName(port.name()).withPort(port.port())
                        .withProtocol(port.protocol()).withAppProtocol(port.appProtocol()).build());
            }
            out.setPorts(ports);
            model.add(out);
        }
        return model;
    }

    private static List<EndpointAddress> toModelAddresses(List<Address> addresses) {
        List<EndpointAddress> model = new ArrayList<>();
        for (Address address : addresses) {
            EndpointAddressBuilder builder = new EndpointAddressBuilder().withIp(address.ip())
                    .withHostname(address.hostname()).withNodeName(address.nodeName());
            Ref ref = address.targetRef();
            if (ref != null) {
                builder.withTargetRef(new ObjectReferenceBuilder().withKind(ref.kind()).withNamespace(ref.namespace())
                        .withName(ref.name()).withUid(ref.uid()).build());
            }
            model.add(builder.build());
        }
        return model;
    }

    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String nonNull(String value) {
        return Objects.requireNonNullElse(value, "");
    }
}
