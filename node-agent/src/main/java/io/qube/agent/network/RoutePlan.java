package io.qube.agent.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which routes this host should have to other nodes' pods, host-gw style: each other node's IPv4 pod CIDR through
 * its InternalIP, and how to get there from the routes it has. Pure: the API's Nodes and the host's addresses in,
 * routes out.
 */
final class RoutePlan {

    /** {@code ip route replace <destination> via <via>}. */
    record Route(String destination, String via) {
    }

    /** What to change: routes to replace (new, or with a new next hop) and routes to delete. */
    record Changes(List<Route> replace, List<Route> delete) {
    }

    private RoutePlan() {
    }

    /**
     * One route per other node with an IPv4 pod CIDR and an IPv4 InternalIP that is not this host's: a node reached
     * at one of this host's own addresses (or on loopback, as every node of a single-machine test is) shares this
     * host's routing table, so a route through it means nothing. Two nodes claiming one pod CIDR (the apiserver
     * does not prevent it) get one route, to the first by name, so the plan does not flip between them.
     *
     * @param self    this node's name
     * @param isLocal whether an address is one of this host's own
     */
    static Set<Route> desired(String self, Predicate<String> isLocal, Collection<Node> nodes) {
        Map<String, Route> byDestination = new TreeMap<>();
        nodes.stream().sorted(Comparator.comparing(node -> node.getMetadata().getName())).forEach(node -> {
            if (node.getMetadata().getName().equals(self)) {
                return;
            }
            Optional<String> via = internalIp(node).filter(ip -> !ip.startsWith("127.") && !isLocal.test(ip));
            if (via.isEmpty()) {
                return;
            }
            for (String cidr : podCidrs(node)) {
                if (isIpv4(cidr)) {
                    byDestination.putIfAbsent(cidr, new Route(cidr, via.get()));
                }
            }
        });
        return new LinkedHashSet<>(byDestination.values());
    }

    /** Every IPv4 pod CIDR some node has: the cluster's pod network as the API knows it. */
    static Set<String> podNetwork(Collection<Node> nodes) {
        return nodes.stream().flatMap(node -> podCidrs(node).stream()).filter(RoutePlan::isIpv4)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * From {@code current} (the routes this agent made, as the host lists them) to {@code desired}: a destination
     * whose next hop changed is replaced in place, so only destinations no longer wanted are deleted.
     */
    static Changes changes(Set<Route> current, Set<Route> desired) {
        Set<String> wanted = desired.stream().map(Route::destination).collect(Collectors.toSet());
        return new Changes(desired.stream().filter(route -> !current.contains(route)).toList(),
                current.stream().filter(route -> !wanted.contains(route.destination())).toList());
    }

    private static Optional<String> internalIp(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return Optional.empty();
        }
        return node.getStatus().getAddresses().stream().filter(address -> "InternalIP".equals(address.getType()))
                .map(NodeAddress::getAddress).filter(RoutePlan::isIpv4).findFirst();
    }

    private static List<String> podCidrs(Node node) {
        if (node.getSpec() == null) {
            return List.of();
        }
        if (node.getSpec().getPodCIDRs() != null && !node.getSpec().getPodCIDRs().isEmpty()) {
            return node.getSpec().getPodCIDRs();
        }
        return node.getSpec().getPodCIDR() == null ? List.of() : List.of(node.getSpec().getPodCIDR());
    }

    private static boolean isIpv4(String addressOrCidr) {
        return addressOrCidr != null && !addressOrCidr.isBlank() && !addressOrCidr.contains(":");
    }
}
