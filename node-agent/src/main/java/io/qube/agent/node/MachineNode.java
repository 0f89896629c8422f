package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;
import io.vertx.core.Vertx;
import io.qube.agent.endpoint.NodeEndpoint;
import io.qube.agent.network.PodMasquerade;
import io.qube.agent.network.PodRoutes;
import io.qube.agent.pod.PodManager;
import io.qube.agent.proxy.ServiceProxy;
import io.qube.agent.service.ServiceCatalog;
import io.qube.agent.runtime.ContainerRuntime;

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

    private final LeaseRenewer lease;
    private final NodeStatusReporter status;
    private final PodManager pods;
    private final NodeEndpoint endpoint;
    private final EvictionManager evictions;
    private final PodRoutes routes;
    private final ServiceCatalog catalog;
    private final ServiceProxy proxy;

    private MachineNode(LeaseRenewer lease, NodeStatusReporter status, PodManager pods, NodeEndpoint endpoint,
                        EvictionManager evictions, PodRoutes routes, ServiceCatalog catalog, ServiceProxy proxy) {
        this.lease = lease;
        this.status = status;
        this.pods = pods;
        this.endpoint = endpoint;
        this.evictions = evictions;
        this.routes = routes;
        this.catalog = catalog;
        this.proxy = proxy;
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
     * {@code serviceProxy} runs the service proxy.
     */
    public static MachineNode start(KubernetesClient client, Vertx vertx, NodeProfile profile,
                                    ContainerRuntime runtime, Duration leaseInterval, int port,
                                    String masqueradeBridge, Eviction eviction, boolean serviceProxy)
            throws IOException {
        awaitApi(client, profile.name());
        Map<String, Quantity> allocatable = NodeRegistration.node(profile, Instant.now()).getStatus()
                .getAllocatable();
        NodePressure pressure = new NodePressure();
        PodManager pods = PodManager.start(client, runtime, profile.name(), profile.internalIp(), allocatable,
                pressure);
        NodeEndpoint endpoint = NodeEndpoint.start(vertx, runtime, pods, port);
        String podCidr;
        try {
            NodeRegistration.register(client, profile, endpoint.port());
            podCidr = profile.podCidr() != null ? profile.podCidr() : awaitPodCidr(client, profile.name());
            runtime.usePodCidr(podCidr);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
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
        boolean root = "root".equals(System.getProperty("user.name"));
        PodRoutes routes = root ? PodRoutes.start(client, profile.name(), masquerade) : null;
        ServiceCatalog catalog = null;
        ServiceProxy proxy = null;
        if (root && serviceProxy) {
            try {
                catalog = ServiceCatalog.start(client, 60);
                proxy = ServiceProxy.start(catalog, profile.name(), podCidr);
            } catch (IllegalStateException e) {
                // The node runs its pods anyway; only Services are unreachable from it.
                LOG.errorf("the service proxy did not start: %s", e.getMessage());
            }
        }
        return new MachineNode(lease, status, pods, endpoint, evictions, routes, catalog, proxy);
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
        evictions.close();
        lease.close();
        status.close();
        endpoint.close();
        pods.close();
        if (routes != null) {
            routes.close();
        }
        if (catalog != null) {
            catalog.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }
}
