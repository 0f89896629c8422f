package io.qube.agent.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps this host's routes to the other nodes' pods (see {@link RoutePlan}) in step with the Nodes the API has,
 * host-gw style, as flannel's host-gw backend does: a node's pod CIDR is reached through its InternalIP, with no
 * overlay, which works when the nodes share a network. A watch of the Nodes asks for a sync when a pod CIDR or an
 * InternalIP appears, changes or goes; every 30 s the host is compared again, which puts back a route
 * someone removed. With a {@link PodMasquerade}, its chain follows the same Nodes. Closing removes the agent's
 * routes and chain, so a stopped agent leaves nothing in the host's tables; the price is that containers still
 * running on the host (the cri runtime's outlive the agent) cannot reach other nodes' pods until it is back.
 */
public final class PodRoutes implements AutoCloseable {

    private static final Duration RESYNC = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(PodRoutes.class);
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    private final String self;
    private final PodMasquerade masquerade;
    private final HostRoutes routes = new HostRoutes();
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pod-routes");
        thread.setDaemon(true);
        return thread;
    });
    private final SharedIndexInformer<Node> nodes;

    private PodRoutes(KubernetesClient client, String self, PodMasquerade masquerade) {
        this.self = self;
        this.masquerade = masquerade;
        this.nodes = client.nodes().runnableInformer(0);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                requestSync();
            }

            @Override
            public void onUpdate(Node before, Node node) {
                // Heartbeats rewrite every Node's status every few seconds; only addresses and pod CIDRs matter.
                if (!Objects.equals(before.getSpec(), node.getSpec())
                        || !Objects.equals(addresses(before), addresses(node))) {
                    requestSync();
                }
            }

            @Override
            public void onDelete(Node node, boolean unknownFinalState) {
                requestSync();
            }
        });
    }

    private static Object addresses(Node node) {
        return node.getStatus() == null ? null : node.getStatus().getAddresses();
    }

    /**
     * Makes sure the host forwards (the pod bridge and the node's interface are two interfaces), then syncs once
     * the Nodes are listed and keeps syncing until closed.
     *
     * @param self       this node's name
     * @param masquerade this node's pods' masquerade, or null when the agent leaves it to others
     */
    public static PodRoutes start(KubernetesClient client, String self, PodMasquerade masquerade) {
        enableForwarding();
        PodRoutes podRoutes = new PodRoutes(client, self, masquerade);
        // The first sync waits for the whole list: a route missing from a partial one would be deleted.
        podRoutes.nodes.start().thenRun(podRoutes::requestSync);
        podRoutes.loop.scheduleWithFixedDelay(podRoutes::sync, RESYNC.toMillis(), RESYNC.toMillis(),
                TimeUnit.MILLISECONDS);
        return podRoutes;
    }

    private static void enableForwarding() {
        try {
            if (!Files.readString(IP_FORWARD).trim().equals("1")) {
                Files.writeString(IP_FORWARD, "1");
                LOG.info("enabled IPv4 forwarding (net.ipv4.ip_forward=1) for the pods' traffic between nodes");
            }
        } catch (IOException e) {
            LOG.warnf("IPv4 forwarding is off and could not be turned on (%s): pods cannot reach other nodes",
                    e.getMessage());
        }
    }

    private void requestSync() {
        if (pending.compareAndSet(false, true)) {
            try {
                loop.execute(this::sync);
            } catch (RejectedExecutionException closing) {
                // an event that arrived while the agent stops: its routes are being removed
            }
        }
    }

    /** One pass: the plan from the listed Nodes, the changes from the routes the host has, applied one by one. */
    private void sync() {
        pending.set(false);
        if (!nodes.hasSynced()) {
            return;
        }
        List<Node> all = nodes.getStore().list();
        try {
            RoutePlan.Changes changes = RoutePlan.changes(routes.own(),
                    RoutePlan.desired(self, PodRoutes::isLocal, all));
            for (RoutePlan.Route route : changes.replace()) {
                apply("routed %s via %s", route, () -> routes.replace(route));
            }
            for (RoutePlan.Route route : changes.delete()) {
                apply("removed the route %s via %s", route, () -> routes.delete(route));
            }
            if (masquerade != null) {
                masquerade.update(RoutePlan.podNetwork(all));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not sync the routes to other nodes' pods: %s", e.getMessage());
        }
    }

    /** One change; a route that fails (e.g. a next hop on no network of this host) does not hold up the others. */
    private static void apply(String done, RoutePlan.Route route, HostChange change) {
        try {
            change.run();
            LOG.infof(done, route.destination(), route.via());
        } catch (IOException e) {
            LOG.warnf("could not change the route %s via %s: %s", route.destination(), route.via(), e.getMessage());
        }
    }

    /** A change of the host's routes. */
    private interface HostChange {
        void run() throws IOException;
    }

    private static boolean isLocal(String address) {
        try {
            return NetworkInterface.getByInetAddress(InetAddress.getByName(address)) != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        nodes.close();
        loop.shutdownNow();
        try {
            loop.awaitTermination(30, TimeUnit.SECONDS);
            for (RoutePlan.Route route : routes.own()) {
                try {
                    routes.delete(route);
                    LOG.infof("removed the route %s via %s: this node's agent stops", route.destination(),
                            route.via());
                } catch (IOException e) {
                    LOG.warnf("could not remove the route %s: %s", route.destination(), e.getMessage());
                }
            }
            if (masquerade != null) {
                masquerade.remove();
            }
        } catch (IOException e) {
            LOG.warnf("could not remove the routes to other nodes' pods: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
