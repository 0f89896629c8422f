package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node heartbeat, as the kubelet keeps it: a Lease per node in {@code kube-node-lease}, owned by the Node, its
 * renewTime moved forward every interval (10 s by default). A failed renewal is logged and tried again at the next
 * tick: the API being away for a while must not stop the agent.
 */
public final class LeaseRenewer implements AutoCloseable {

    public static final String NAMESPACE = "kube-node-lease";
    private static final Logger LOG = Logger.getLogger(LeaseRenewer.class);
    private static final int DURATION_SECONDS = 40;
    /** Renewals that may wait on the API at once; enough for 500 nodes at 10 s with replies taking 300 ms. */
    private static final int MAX_THREADS = 16;

    private final KubernetesClient client;
    private final List<String> nodes;
    /** Each node's lease as the last write returned it. */
    private final Map<String, Lease> current = new ConcurrentHashMap<>();
    /** When each node's lease was last renewed: the node's /healthz reads it as the agent's hold on the API. */
    private final Map<String, Instant> renewed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks;

    public LeaseRenewer(KubernetesClient client, List<String> nodes) {
        this.client = client;
        this.nodes = List.copyOf(nodes);
        this.ticks = Executors.newScheduledThreadPool(Math.min(this.nodes.size(), MAX_THREADS), runnable -> {
            Thread thread = new Thread(runnable, "lease-renewer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Renews every node's lease now, then every {@code interval}, each node on its own schedule as each kubelet
     * keeps its own, spread over the interval: one loop renewing hundreds of simulated nodes in turn took longer
     * than the node grace period once the API was busy, and the nodes were declared lost although their agent was
     * fine (the Deployment benchmark's nodes went NodeNotReady while it ran).
     */
    public void start(Duration interval) {
        long period = interval.toMillis();
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            // The first renewal at once, as a node that just joined should show it is alive; the next ones spread.
            ticks.execute(() -> renewOrLog(node));
            ticks.scheduleAtFixedRate(() -> renewOrLog(node), period + period * i / nodes.size(), period,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void renewOrLog(String node) {
        try {
            renew(node);
            renewed.put(node, Instant.now());
        } catch (KubernetesClientException e) {
            LOG.warnf("renewing the lease of node %s failed (%s); trying again at the next tick", node,
                    e.getMessage());
        }
    }

    /**
     * One write per renewal: the lease as the last write returned it, with a new renewTime, is PUT back; only the
     * first renewal, or one that conflicts (someone else wrote the lease), reads it first.
     */
    private void renew(String node) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        Lease known = current.get(node);
        if (known != null) {
            known.getSpec().setRenewTime(now);
            try {
                current.put(node, client.leases().inNamespace(NAMESPACE).resource(known).update());
                return;
            } catch (KubernetesClientException e) {
                current.remove(node);
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        Lease existing = client.leases().inNamespace(NAMESPACE).withName(node).get();
        if (existing == null) {
            Node owner = client.nodes().withName(node).get();
            LeaseBuilder lease = new LeaseBuilder().withNewMetadata().withName(node).withNamespace(NAMESPACE)
                    .endMetadata().withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(DURATION_SECONDS)
                    .withRenewTime(now).endSpec();
            if (owner != null) {
                lease.editMetadata().addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(node)
                        .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata();
            }
            current.put(node, client.leases().inNamespace(NAMESPACE).resource(lease.build()).create());
        } else {
            existing.getSpec().setRenewTime(now);
            existing.getSpec().setHolderIdentity(node);
            current.put(node, client.leases().inNamespace(NAMESPACE).resource(existing).update());
        }
    }

    /** When the node's lease was last renewed by this agent, null before its first renewal. */
    public Instant lastRenewed(String node) {
        return renewed.get(node);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
