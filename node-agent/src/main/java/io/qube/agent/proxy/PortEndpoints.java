package io.qube.agent.proxy;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The endpoints of one service port, from the Service's EndpointSlices: the slice port of the same name and
 * protocol gives the port number (the EndpointSlice controller resolved a named targetPort per pod already), and
 * each IPv4 endpoint its address, node and conditions. An address in several slices counts once.
 */
record PortEndpoints(List<Target> all) {

    /** One endpoint: address, port, node (null: unknown) and the conditions the proxy looks at. */
    record Target(String ip, int port, String nodeName, boolean ready, boolean serving, boolean terminating) {

        String address() {
            return ip + ":" + port;
        }
    }

    static PortEndpoints of(ServicePort port, List<EndpointSlice> slices) {
        Map<String, Target> byAddress = new TreeMap<>();
        for (EndpointSlice slice : slices) {
            if (!"IPv4".equals(slice.getAddressType()) || slice.getPorts() == null || slice.getEndpoints() == null) {
                continue;
            }
            for (EndpointPort candidate : slice.getPorts()) {
                if (!sameName(port.getName(), candidate.getName()) || candidate.getPort() == null
                        || !Objects.equals(protocol(port.getProtocol()), protocol(candidate.getProtocol()))) {
                    continue;
                }
                for (Endpoint endpoint : slice.getEndpoints()) {
                    if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                        continue;
                    }
                    Target target = target(endpoint, candidate.getPort());
                    byAddress.putIfAbsent(target.address(), target);
                }
            }
        }
        return new PortEndpoints(List.copyOf(byAddress.values()));
    }

    /**
     * The endpoints that take new connections, as kube-proxy chooses them: the ready ones; when none is ready, the
     * serving ones that terminate, so a rolling update's last pods keep answering until they stop.
     */
    List<Target> usable() {
        return usable(target -> true);
    }

    /** The usable endpoints among those on {@code node}, chosen the same way within them. */
    List<Target> usableOn(String node) {
        return usable(target -> node.equals(target.nodeName()));
    }

    private List<Target> usable(Predicate<Target> among) {
        List<Target> ready = all.stream().filter(among).filter(Target::ready).toList();
        return !ready.isEmpty() ? ready
                : all.stream().filter(among).filter(target -> target.serving() && target.terminating()).toList();
    }

    /** A slice port without a name matches a service port without one (a Service's only port may be unnamed). */
    private static boolean sameName(String service, String slice) {
        return Objects.equals(service == null ? "" : service, slice == null ? "" : slice);
    }

    static String protocol(String protocol) {
        return protocol == null ? "TCP" : protocol;
    }

    /** Conditions as the API defines their absence: ready unless said otherwise, serving as ready, not terminating. */
    private static Target target(Endpoint endpoint, int port) {
        EndpointConditions conditions = endpoint.getConditions();
        boolean ready = conditions == null || conditions.getReady() == null || conditions.getReady();
        boolean serving = conditions == null || conditions.getServing() == null ? ready : conditions.getServing();
        boolean terminating = conditions != null && Boolean.TRUE.equals(conditions.getTerminating());
        return new Target(endpoint.getAddresses().get(0), port, endpoint.getNodeName(), ready, serving, terminating);
    }
}
