package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;
import io.vertx.core.Vertx;
import io.qube.agent.dns.NodeDns;
import io.qube.agent.dns.NodeDnsConfig;
import io.qube.agent.dns.ResolvConf;
import io.qube.agent.endpoint.NodeEndpoint;
import io.qube.agent.network.PodMasquerade;
import io.qube.agent.network.PodRoutes;
import io.qube.agent.pod.PodDns;
import io.qube.agent.pod.PodManager;
import io.qube.agent.proxy.ServiceProxy;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.service.ServiceCatalog;
import io.qube.agent.stats.NodeUsage;
import io.qube.agent.stats.ResourceSampler;
import io.qube.agent.stats.StatsEndpoint;
import io.qube.agent.storage.LocalPathProvisioner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** This machine as a node: its Node and Lease, its pods run by a real runtime, its routes to other nodes' pods. */
public final class MachineNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MachineNode.class);
    private static final Duration POD_CIDR_WAIT = Duration.ofSeconds(60);
    /** How long the Service cache may take to list the cluster's Services and slices. */
    private static final Duration API_WAIT = Duration.ofSeconds(30);

    private final LeaseRenewer lease;
    private final NodeStatusReporter status;
    private final PodManager pods;
    private final NodeEndpoint endpoint;
    private final EvictionManager evictions;
    private final PodRoutes routes;
    private final ServiceCatalog services;
    private final ServiceProxy proxy;
    private final NodeDns dns;
    private final LocalPathProvisioner provisioner;
    private final ResourceSampler sampler;

    private MachineNode(LeaseRenewer lease, NodeStatusReporter status, PodManager pods, NodeEndpoint endpoint,
                        EvictionManager evictions, PodRoutes routes, ServiceCatalog services, ServiceProxy proxy,
                        NodeDns dns, LocalPathProvisioner provisioner, ResourceSampler sampler) {
        this.lease = lease;
        this.status = status;
        this.pods = pods;
        this.endpoint = endpoint;
        this.evictions = evictions;
        this.routes = routes;
        this.services = services;
        this.proxy = proxy;
        this.dns = dns;
        this.provisioner = provisioner;
        this.sampler = sampler;
    }

    /**
     * The machine's profile: its cores, its memory, the given address (or its first non-loopback IPv4), the pod
     * CIDR it claims (null: none) and {@code reserved} kept from its pods.
     */
    public static NodeProfile profile(String name, String nodeIp, int maxPods, Map<String, String> labels,
                                      ContainerRuntime runtime, String podCidr, Map<String, Quantity> reserved)
            throws SocketException {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        String cpu = Integer.toString(Runtime.getRuntime().availableProcessors());
        return new NodeProfile(name, cpu, Long.toString(memory / 1024) + "Ki", maxPods,
                nodeIp != null ? nodeIp : firstAddress(), labels, runtime.version(), podCidr, reserved);
    }

    /**
     * Runs the node's pods, opens its endpoint on {@code port} (0: any free port), then registers the Node
     * advertising that endpoint and keeps its Lease; as root (whose pods have network namespaces of their own),
     * keeps the routes to other nodes' pods and, given a {@code masquerade}, this node's pods' masquerade, and with
     * {@code serviceProxy} runs the service proxy. Given {@code dns} settings (null: pods keep the node's
     * resolv.conf), pods get resolv.conf files by their dnsPolicy and the node serves cluster DNS. The node's and its
     * containers' cpu and memory are sampled every {@code housekeeping} for its resource metrics.
     */
    public static MachineNode start(KubernetesClient client, Vertx vertx, NodeProfile profile,
                                    ContainerRuntime runtime, Duration leaseInterval, int port,
                                    String masqueradeBridge, Eviction eviction, boolean serviceProxy,
                                    NodeDnsConfig dns, Duration housekeeping) throws IOException {
        awaitApi(client, profile.name());
        Map<String, Quantity> allocatable = NodeRegistration.node(profile, Instant.now()).getStatus()
                .getAllocatable();
        NodePressure pressure = new NodePressure();
        ResolvConf hostResolv = dns == null ? null : ResolvConf.read(dns.resolvConf());
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean proxying = root && serviceProxy;
        boolean serving = dns != null && dns.serve();
        PodDns podDns = dns == null ? null : new PodDns(dns.clusterDns().isEmpty()
                ? defaultClusterDns(client, proxying, serving, profile.internalIp()) : dns.clusterDns(),
                dns.clusterDomain(), hostResolv);
        PodManager pods = PodManager.start(client, runtime, profile.name(), profile.internalIp(), allocatable,
                pressure, podDns);
        NodeUsage machine = new NodeUsage(java.nio.file.Path.of("/proc"));
        ResourceSampler sampler = new ResourceSampler(runtime, machine,
                Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime())).start(housekeeping);
        NodeEndpoint endpoint;
        try {
            endpoint = NodeEndpoint.start(vertx, runtime, pods, new StatsEndpoint(profile.name(), sampler,
                    machine.capacityBytes()), port);
        } catch (IOException | RuntimeException e) {
            sampler.close();
            pods.close();
            throw e;
        }
        String podCidr;
        try {
            NodeRegistration.register(client, profile, endpoint.port());
            podCidr = profile.podCidr() != null ? profile.podCidr() : awaitPodCidr(client, profile.name());
            runtime.usePodCidr(podCidr);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            sampler.close();
            pods.close();
            throw e;
        }
        PodMasquerade masquerade = masqueradeBridge == null ? null : new PodMasquerade(masqueradeBridge, podCidr);
        LeaseRenewer lease = new LeaseRenewer(client, List.of(profile.name()));
        lease.start(leaseInterval);
        NodeStatusReporter status = new NodeStatusReporter(client, List.of(profile), endpoint.port(),
                runtime.images().map(NodeImages::new).orElse(null), pressure);
        status.start(NodeStatusReporter.DEFAULT_INTERVAL);
        EvictionManager evictions = new EvictionManager(eviction.thresholds(),
                EvictionManager.Signals.of(eviction.stateDir()), pressure, EvictionManager.Pods.of(pods),
                eviction.reclaim(), status::refresh);
        evictions.start(eviction.interval());
        PodRoutes routes = root ? PodRoutes.start(client, profile.name(), masquerade) : null;
        ServiceCatalog services = null;
        if (proxying || serving) {
            try {
                services = ServiceCatalog.start(client, API_WAIT.toSeconds());
            } catch (IllegalStateException e) {
                // The node runs its pods anyway; only Services and cluster DNS are out of its reach.
                LOG.errorf("node %s has no service proxy and serves no cluster DNS: %s", profile.name(),
                        e.getMessage());
            }
        }
        ServiceProxy proxy = null;
        if (proxying && services != null) {
            try {
                proxy = ServiceProxy.start(services, profile.name(), podCidr);
            } catch (IllegalStateException e) {
                LOG.errorf("the service proxy did not start: %s", e.getMessage());
            }
        }
        NodeDns nodeDns = null;
        if (serving && services != null) {
            // The node runs its pods without serving DNS rather than not at all.
            try {
                nodeDns = NodeDns.start(client, services, client.nodes().withName(profile.name()).get(),
                        profile.internalIp(), dns, hostResolv);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("node %s serves no cluster DNS: %s", profile.name(), e.getMessage());
            }
        }
        // The node's local-path volumes live next to its pods, in the agent's state directory.
        LocalPathProvisioner provisioner = LocalPathProvisioner.start(client, java.util.Set.of(profile.name()),
                eviction.stateDir().resolve("volumes"));
        return new MachineNode(lease, status, pods, endpoint, evictions, routes, services, proxy, nodeDns,
                provisioner, sampler);
    }

    /**
     * The pods' nameserver when no --cluster-dns is given: kube-dns's cluster IP, which needs a service proxy on
     * this node; without one, the node's own DNS server when it serves one at an address pods can reach.
     */
    private static List<String> defaultClusterDns(KubernetesClient client, boolean proxying, boolean serving,
                                                  String nodeIp) {
        if (!proxying && serving && !nodeIp.startsWith("127.")) {
            LOG.infof("no service proxy on this node: pods ask its own DNS server at %s", nodeIp);
            return List.of(nodeIp);
        }
        return kubeDnsAddresses(client);
    }

    /**
     * The kubelet's --cluster-dns when not given: the cluster IPs of kube-system/kube-dns as they are at the start;
     * none when it does not exist (ClusterFirst pods then get the node's resolv.conf, with a warning).
     */
    private static List<String> kubeDnsAddresses(KubernetesClient client) {
        var service = client.services().inNamespace("kube-system").withName("kube-dns").get();
        if (service == null || service.getSpec() == null || service.getSpec().getClusterIP() == null
                || service.getSpec().getClusterIP().isEmpty() || "None".equals(service.getSpec().getClusterIP())) {
            LOG.warn("no --cluster-dns and no kube-system/kube-dns Service: ClusterFirst pods get the node's "
                    + "resolv.conf");
            return List.of();
        }
        return List.of(service.getSpec().getClusterIP());
    }

    /**
     * The eviction manager's settings: thresholds, how often it looks, where the pods' files are, what it frees
     * before evicting for disk.
     */
    public record Eviction(EvictionThresholds thresholds, Duration interval, java.nio.file.Path stateDir,
                           EvictionManager.DiskReclaim reclaim) {
    }

    /**
     * The Node's spec.podCIDR as the control plane's node IPAM gives it to a node that claims none; an agent
     * without --pod-cidr whose Node gets none in time stops with the reason rather than run pods without a network.
     */
    private static String awaitPodCidr(KubernetesClient client, String node) throws IOException {
        Instant deadline = Instant.now().plus(POD_CIDR_WAIT);
        while (Instant.now().isBefore(deadline)) {
            var found = client.nodes().withName(node).get();
            if (found != null && found.getSpec() != null && found.getSpec().getPodCIDR() != null
                    && !found.getSpec().getPodCIDR().isEmpty()) {
                LOG.infof("node %s: pod CIDR %s from its Node", node, found.getSpec().getPodCIDR());
                return found.getSpec().getPodCIDR();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the Node's pod CIDR", e);
            }
        }
        throw new IOException("node " + node + " got no spec.podCIDR within " + POD_CIDR_WAIT.toSeconds() + " s: "
                + "give the agent --pod-cidr, or enable the controller manager's node IPAM "
                + "(qube.controllers.node-ipam.enabled)");
    }

    /** The port the node's endpoint listens on. */
    public int port() {
        return endpoint.port();
    }

    /** Waits until the API answers: an agent may start before its control plane (as `qube up` starts them). */
    private static void awaitApi(KubernetesClient client, String node) throws IOException {
        Instant nextReport = Instant.now();
        while (true) {
            try {
                client.nodes().withName(node).get();
                return;
            } catch (KubernetesClientException e) {
                if (Instant.now().isAfter(nextReport)) {
                    LOG.infof("waiting for the API at %s: %s", client.getMasterUrl(), e.getMessage());
                    nextReport = Instant.now().plusSeconds(10);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the API", e);
            }
        }
    }

    private static String firstAddress() throws SocketException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (network.isLoopback() || !network.isUp() || network.getName().startsWith("qube")) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
            }
        }
        return "127.0.0.1";
    }

    @Override
    public void close() {
        // Each part on its own: one that fails must not leave the others (the proxy's rules, the routes) behind.
        for (AutoCloseable part : java.util.Arrays.asList(provisioner, dns, proxy, services, evictions, lease, status,
                endpoint, sampler, pods, routes)) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing %s failed", part.getClass().getSimpleName());
            }
        }
    }
}
