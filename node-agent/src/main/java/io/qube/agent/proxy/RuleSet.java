package io.qube.agent.proxy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the proxy wants in the kernel: the rules of each of its chains in the nat and filter tables (in
 * iptables-restore syntax, without the jumps from the built-in chains), and the UDP flows the rules send to an
 * endpoint, whose conntrack entries must go with the endpoint.
 */
record RuleSet(Map<String, List<String>> nat, Map<String, List<String>> filter, Set<UdpFlow> udpFlows) {

    /**
     * UDP traffic to {@code destination} (a cluster IP; null: a node port) on {@code port}, sent to the endpoint at
     * {@code endpointIp} (null: to any, when a whole destination's entries go).
     */
    record UdpFlow(String destination, int port, String endpointIp) {
    }

    static final RuleSet EMPTY = new RuleSet(Map.of(), Map.of(), Set.of());

    RuleSet {
        nat = Collections.unmodifiableMap(new LinkedHashMap<>(nat));
        filter = Collections.unmodifiableMap(new LinkedHashMap<>(filter));
        udpFlows = Set.copyOf(udpFlows);
    }
}
