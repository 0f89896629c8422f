package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.agent.service.ServiceCatalog;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * This node's cluster DNS: the server on the node's InternalIP answering from the Service cache, and the node's
 * slice of the kube-dns Service that leads the node's pods to it. Closing removes the slice, then the server.
 */
public final class NodeDns implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeDns.class);
    /** How long each upstream nameserver has to answer before the next is tried (glibc's resolver waits 5 s). */
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final String node;
    private final DnsServer server;

    private NodeDns(KubernetesClient client, String node, DnsServer server) {
        this.client = client;
        this.node = node;
        this.server = server;
    }

    /**
     * Serves DNS on the node's address, or returns null when the port is taken (another agent, or a resolver, on
     * the same host): the node runs on without serving DNS rather than not at all.
     */
    public static NodeDns start(KubernetesClient client, ServiceCatalog services, Node node, String ip,
                                NodeDnsConfig config, ResolvConf host) throws IOException {
        ClusterZone zone = new ClusterZone(config.clusterDomain(), ClusterServices.of(services));
        InetAddress address = InetAddress.getByName(ip);
        // A node whose resolv.conf names the node itself would send its queries round in a loop.
        List<InetSocketAddress> upstreams = host.upstreams().stream()
                .filter(upstream -> !upstream.getAddress().equals(address)).toList();
        DnsServer server;
        try {
            server = DnsServer.start(address, config.serverPort(), zone, new Upstreams(upstreams, UPSTREAM_TIMEOUT));
        } catch (BindException e) {
            LOG.warnf("node %s serves no cluster DNS: %s:%d is taken (%s)", node.getMetadata().getName(), ip,
                    config.serverPort(), e.getMessage());
            return null;
        }
        String name = node.getMetadata().getName();
        if (server.address().isLoopbackAddress()) {
            // The API refuses loopback endpoints; pods given this address (--cluster-dns) reach the server anyway.
            LOG.infof("node %s: no kube-dns slice for a node on loopback", name);
        } else {
            try {
                NodeDnsSlice.write(client, node, ip, server.port());
            } catch (KubernetesClientException e) {
                LOG.warnf("node %s: its slice of the kube-dns Service could not be written: %s", name,
                        e.getMessage());
            }
        }
        LOG.infof("node %s: cluster DNS for %s on %s:%d", name, config.clusterDomain(), ip, server.port());
        return new NodeDns(client, name, server);
    }

    @Override
    public void close() {
        try {
            NodeDnsSlice.delete(client, node);
        } catch (KubernetesClientException e) {
            LOG.debugf("node %s: its kube-dns slice stays: %s", node, e.getMessage());
        }
        server.close();
    }
}
