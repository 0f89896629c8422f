package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One address of a headless Service as DNS names it: its IP, its name under the Service (the endpoint's hostname,
 * else the IP with dashes, as CoreDNS names it) and the ports of its slice.
 */
record DnsEndpoint(String ip, String name, List<EndpointPort> ports) {

    /**
     * The addresses of the Service's slices that DNS gives out: ready ones (a missing condition counts as ready, as
     * the API says), or all of them when the Service publishes not-ready addresses. An address in several slices
     * (while one is being replaced) is given once.
     */
    static List<DnsEndpoint> of(Service service, List<EndpointSlice> slices) {
        boolean all = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
        Map<String, DnsEndpoint> byIp = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) {
                continue;
            }
            List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
            for (Endpoint endpoint : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (!ready && !all || endpoint.getAddresses() == null) {
                    continue;
                }
                for (String ip : endpoint.getAddresses()) {
                    String hostname = endpoint.getHostname();
                    String name = hostname != null && !hostname.isEmpty() ? hostname : dashed(ip);
                    byIp.putIfAbsent(ip, new DnsEndpoint(ip, name.toLowerCase(Locale.ROOT), ports));
                }
            }
        }
        return new ArrayList<>(byIp.values());
    }

    /** 10.1.2.3 as 10-1-2-3, fd00::1 as fd00--1: how DNS names an address without a hostname. */
    static String dashed(String ip) {
        return ip.replace('.', '-').replace(':', '-');
    }
}
