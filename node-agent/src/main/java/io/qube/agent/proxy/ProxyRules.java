package io.qube.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Computes the proxy's chains for this node from the Services and their EndpointSlices, with kube-proxy's iptables
 * semantics. Per service port: a cluster chain (SVC) spreading traffic over the usable endpoints with
 * {@code statistic --mode random}, a local chain (SVL) over the usable endpoints of this node when a traffic policy
 * is Local, an external chain (EXT) for its node port, and one chain per endpoint (SEP) that DNATs. Traffic the
 * endpoint could not answer directly is marked for masquerade: a cluster IP reached from outside this node's pod
 * CIDR (the host itself), node port traffic with the Cluster policy, and an endpoint reaching itself (hairpin).
 * A port without usable endpoints gets a REJECT in the filter table (DROP when only a Local policy leaves it
 * none), so a client fails at once rather than time out. Headless and ExternalName Services get nothing.
 */
final class ProxyRules {

    private static final Logger LOG = Logger.getLogger(ProxyRules.class);
    /** The packet mark bit that asks QUBE-POSTROUTING to masquerade, kube-proxy's default. */
    static final String MASQ_MARK = "0x4000";
    private static final int DEFAULT_AFFINITY_SECONDS = 10800;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String node;
    private final String podCidr;

    /**
     * @param node    this node's name, which Local traffic policies compare with an endpoint's nodeName
     * @param podCidr this node's pod CIDR: traffic from elsewhere to a cluster IP is masqueraded
     */
    ProxyRules(String node, String podCidr) {
        this.node = node;
        this.podCidr = podCidr;
    }

    /** The rules for {@code services}, whose slices {@code slices} gives by namespace and Service name. */
    RuleSet compute(List<Service> services, BiFunction<String, String, List<EndpointSlice>> slices) {
        Chains nat = new Chains();
        Chains filter = new Chains();
        Set<RuleSet.UdpFlow> udp = new HashSet<>();
        nat.add(ChainNames.SERVICES);
        nat.add(ChainNames.NODEPORTS);
        nat.add(ChainNames.MARK_MASQ, "-j MARK --or-mark " + MASQ_MARK);
        nat.add(ChainNames.POSTROUTING, "-m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN",
                // Cleared, so a packet that goes through the host's netfilter again is not masqueraded twice.
                "-j MARK --xor-mark " + MASQ_MARK,
                "-m comment --comment \"service traffic requiring SNAT\" -j MASQUERADE");
        filter.add(ChainNames.FILTER);
        // route_localnet lets node ports answer on 127.0.0.1; this keeps others from sending to 127/8 over the wire.
        filter.add(ChainNames.FIREWALL, "! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "
                + "\"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        for (Service service : sorted) {
            try {
                if (!proxied(service)) {
                    continue;
                }
                // All ports checked first: a Service is served whole or not at all.
                service.getSpec().getPorts().forEach(ProxyRules::checkPort);
                List<EndpointSlice> own = slices.apply(service.getMetadata().getNamespace(),
                        service.getMetadata().getName());
                for (ServicePort port : service.getSpec().getPorts()) {
                    addPort(service, port, PortEndpoints.of(port, own == null ? List.of() : own), nat, filter, udp);
                }
            } catch (RuntimeException e) {
                // Bad input never stops the proxy: the Service is left out, the others are served.
                LOG.warnf("service %s/%s skipped by the proxy: %s", service.getMetadata().getNamespace(),
                        service.getMetadata().getName(), e.getMessage());
            }
        }
        // Last, so a cluster IP's own rule wins; node ports answer on every local address, 127.0.0.1 included.
        nat.add(ChainNames.SERVICES, "-m comment --comment \"node ports\" -m addrtype --dst-type LOCAL -j "
                + ChainNames.NODEPORTS);
        return new RuleSet(nat.rules, filter.rules, udp);
    }

    /** Headless and ExternalName Services, and those without an IPv4 cluster IP, are DNS's, not the proxy's. */
    private static boolean proxied(Service service) {
        if (service.getSpec() == null || "ExternalName".equals(service.getSpec().getType())
                || service.getSpec().getPorts() == null) {
            return false;
        }
        String clusterIp = service.getSpec().getClusterIP();
        return clusterIp != null && IPV4.matcher(clusterIp).matches();
    }

    private void addPort(Service service, ServicePort port, PortEndpoints endpoints, Chains nat, Chains filter,
                         Set<RuleSet.UdpFlow> udp) {
        String protocol = PortEndpoints.protocol(port.getProtocol());
        if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
            LOG.debugf("service %s/%s port %s: %s is not proxied", service.getMetadata().getNamespace(),
                    service.getMetadata().getName(), port.getPort(), protocol);
            return;
        }
        String p = protocol.toLowerCase(Locale.ROOT);
        String name = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName()
                + (port.getName() == null || port.getName().isEmpty() ? "" : ":" + port.getName());
        String clusterIp = service.getSpec().getClusterIP();
        Integer nodePort = port.getNodePort();
        boolean internalLocal = "Local".equals(service.getSpec().getInternalTrafficPolicy());
        boolean externalLocal = "Local".equals(service.getSpec().getExternalTrafficPolicy());
        Integer affinity = affinitySeconds(service);

        List<PortEndpoints.Target> cluster = endpoints.usable();
        List<PortEndpoints.Target> local = endpoints.usableOn(node);
        String clusterIpMatch = "-d " + clusterIp + "/32 -p " + p + " -m " + p + " --dport " + port.getPort();
        String nodePortMatch = nodePort == null ? null : "-p " + p + " -m " + p + " --dport " + nodePort;
        if (cluster.isEmpty()) {
            String reject = "-m comment --comment \"" + name + " has no endpoints\" -j REJECT --reject-with "
                    + "icmp-port-unreachable";
            filter.add(ChainNames.FILTER, clusterIpMatch + " " + reject);
            if (nodePort != null) {
                filter.add(ChainNames.FILTER, "-m addrtype --dst-type LOCAL " + nodePortMatch + " " + reject);
            }
            return;
        }
        String svc = ChainNames.cluster(name, protocol);
        String svl = ChainNames.local(name, protocol);
        boolean internalServed = !internalLocal || !local.isEmpty();
        boolean externalServed = nodePort != null && (!externalLocal || !local.isEmpty());
        // Each chain only when something jumps to it: the external chain uses the cluster chain with either policy.
        if (!internalLocal || externalServed) {
            spread(nat, svc, name, protocol, p, cluster, affinity);
        }
        if (!local.isEmpty() && (internalLocal || externalServed && externalLocal)) {
            spread(nat, svl, name, protocol, p, local, affinity);
        }

        String internal = internalLocal ? svl : svc;
        if (internalServed) {
            // First in the chain: only traffic to the cluster IP, as the local chain serves node ports too.
            nat.insertFirst(internal, "! -s " + podCidr + " " + clusterIpMatch + " -j " + ChainNames.MARK_MASQ);
            nat.add(ChainNames.SERVICES, clusterIpMatch + " -m comment --comment \"" + name + " cluster IP\" -j "
                    + internal);
            udpFlows(udp, protocol, clusterIp, port.getPort(), internalLocal ? local : cluster);
        } else {
            filter.add(ChainNames.FILTER, clusterIpMatch + " -m comment --comment \"" + name
                    + " has no local endpoints\" -j DROP");
        }

        if (nodePort == null) {
            return;
        }
        if (!externalServed) {
            filter.add(ChainNames.FILTER, "-m addrtype --dst-type LOCAL " + nodePortMatch + " -m comment --comment \""
                    + name + " has no local endpoints\" -j DROP");
            return;
        }
        String ext = ChainNames.external(name, protocol);
        if (externalLocal) {
            // The client's address is kept, so only this node's endpoints; but this node's pods and the host
            // itself may use any endpoint, as with the Cluster policy (the host's traffic then masqueraded).
            nat.add(ext, "-s " + podCidr + " -m comment --comment \"pod traffic for " + name
                            + " external destinations\" -j " + svc,
                    "-m addrtype --src-type LOCAL -j " + ChainNames.MARK_MASQ,
                    "-m addrtype --src-type LOCAL -j " + svc,
                    "-j " + svl);
        } else {
            nat.add(ext, "-j " + ChainNames.MARK_MASQ, "-j " + svc);
        }
        nat.add(ChainNames.NODEPORTS, nodePortMatch + " -m comment --comment \"" + name + " node port\" -j " + ext);
        udpFlows(udp, protocol, null, nodePort, cluster);
    }

    private static void udpFlows(Set<RuleSet.UdpFlow> udp, String protocol, String destination, int port,
                                 List<PortEndpoints.Target> targets) {
        if (protocol.equals("UDP")) {
            targets.forEach(target -> udp.add(new RuleSet.UdpFlow(destination, port, target.ip())));
        }
    }

    /**
     * A chain that picks one of {@code targets}: rule i of n matches with probability 1/(n-i), so each endpoint
     * gets 1/n; with ClientIP affinity, a client seen recently goes back to its endpoint first. Each endpoint's
     * own chain DNATs to it and marks an endpoint reaching itself for masquerade (hairpin).
     */
    private static void spread(Chains nat, String chain, String name, String protocol, String p,
                               List<PortEndpoints.Target> targets, Integer affinity) {
        nat.add(chain);
        List<String> endpointChains = new ArrayList<>();
        for (PortEndpoints.Target target : targets) {
            String sep = ChainNames.endpoint(name, protocol, target.address());
            endpointChains.add(sep);
            if (nat.has(sep)) {
                continue; // already written for the other chain of this port
            }
            nat.add(sep, "-s " + target.ip() + "/32 -j " + ChainNames.MARK_MASQ,
                    "-p " + p + " -m " + p + (affinity == null ? "" : " -m recent --name " + sep + " --set --rsource")
                            + " -j DNAT --to-destination " + target.address());
        }
        if (affinity != null) {
            for (String sep : endpointChains) {
                nat.add(chain, "-m recent --name " + sep + " --rcheck --seconds " + affinity + " --reap -j " + sep);
            }
        }
        int n = endpointChains.size();
        for (int i = 0; i < n; i++) {
            nat.add(chain, (i < n - 1 ? "-m statistic --mode random --probability "
                    + String.format(Locale.ROOT, "%.10f", 1.0 / (n - i)) + " " : "") + "-j " + endpointChains.get(i));
        }
    }

    private static void checkPort(ServicePort port) {
        if (!validPort(port.getPort()) || port.getNodePort() != null && !validPort(port.getNodePort())) {
            throw new IllegalArgumentException("port " + port.getPort() + " (node port " + port.getNodePort()
                    + ") is not a port number");
        }
    }

    private static boolean validPort(Integer port) {
        return port != null && port > 0 && port < 65536;
    }

    /** The ClientIP affinity's timeout in seconds, or null without affinity. */
    private static Integer affinitySeconds(Service service) {
        if (!"ClientIP".equals(service.getSpec().getSessionAffinity())) {
            return null;
        }
        var config = service.getSpec().getSessionAffinityConfig();
        Integer timeout = config == null || config.getClientIP() == null ? null
                : config.getClientIP().getTimeoutSeconds();
        return timeout == null ? DEFAULT_AFFINITY_SECONDS : timeout;
    }

    /** Chains and their rules, in the order the chains were first named. */
    private static final class Chains {
        private final Map<String, List<String>> rules = new LinkedHashMap<>();

        void add(String chain, String... lines) {
            rules.computeIfAbsent(chain, c -> new ArrayList<>()).addAll(List.of(lines));
        }

        boolean has(String chain) {
            return rules.containsKey(chain);
        }

        void insertFirst(String chain, String line) {
            rules.computeIfAbsent(chain, c -> new ArrayList<>()).add(0, line);
        }
    }
}
