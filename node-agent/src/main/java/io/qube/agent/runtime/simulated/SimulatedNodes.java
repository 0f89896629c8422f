package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.FileTrees;
import io.qube.agent.node.LeaseRenewer;
import io.qube.agent.node.NodeProfile;
import io.qube.agent.node.NodeRegistration;
import io.qube.agent.node.NodeStatusReporter;
import io.qube.agent.storage.LocalPathProvisioner;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many simulated nodes in one process: each registered with its own Node and Lease, their pods run without
 * processes, their claims provisioned by the local-path provisioner into a temporary directory that goes with them
 * (so that pods with claims of the default class are scheduled and run here too). Their endpoint
 * ({@link SimulatedEndpoint}) serves each node's metrics, health and resource use ({@link SimulatedUsage}) on one
 * port, each node told apart by its loopback InternalIP.
 */
public final class SimulatedNodes implements AutoCloseable {

    public static final String RUNTIME_VERSION = "simulated://0.1.0";

    private final LeaseRenewer leases;
    private final NodeStatusReporter status;
    private final SimulatedPods pods;
    private final SimulatedEndpoint endpoint;
    private final LocalPathProvisioner provisioner;
    private final Path volumes;

    private SimulatedNodes(LeaseRenewer leases, NodeStatusReporter status, SimulatedPods pods,
                           SimulatedEndpoint endpoint, LocalPathProvisioner provisioner, Path volumes) {
        this.leases = leases;
        this.status = status;
        this.pods = pods;
        this.endpoint = endpoint;
        this.provisioner = provisioner;
        this.volumes = volumes;
    }

    /**
     * The profiles of {@code count} nodes named {@code prefix-0} ... with the given capacity and extra labels;
     * each has an InternalIP of its own in 127.30.0.0/16: a loopback address, at which the agent's endpoint answers
     * for that node (only on the agent's own machine, where the control plane runs too).
     */
    public static List<NodeProfile> profiles(String prefix, int count, String cpu, String memory, int maxPods,
                                             Map<String, String> labels) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> new NodeProfile(prefix + "-" + i, cpu, memory,
                maxPods, "127.30." + (i / 254) + "." + (1 + i % 254), labels, RUNTIME_VERSION, null, Map.of()))
                .toList();
    }

    /**
     * Starts the nodes' endpoint, registers every node with its port, then keeps their leases and runs their pods
     * until closed.
     *
     * @param port the endpoint's port, which every node advertises (0 picks a free one)
     */
    public static SimulatedNodes start(KubernetesClient client, Vertx vertx, List<NodeProfile> profiles,
                                       Duration leaseInterval, int port) throws IOException {
        Map<String, String> hostIps = new LinkedHashMap<>();
        Map<String, Long> memory = new LinkedHashMap<>();
        for (NodeProfile profile : profiles) {
            hostIps.put(profile.name(), profile.internalIp());
            memory.put(profile.name(), Quantity.getAmountInBytes(new Quantity(profile.memory())).longValue());
        }
        SimulatedStats stats = new SimulatedStats(hostIps.keySet(), Instant.now());
        LeaseRenewer leases = new LeaseRenewer(client, List.copyOf(hostIps.keySet()));
        SimulatedEndpoint endpoint = SimulatedEndpoint.start(vertx, stats, hostIps, memory, leases::lastRenewed, port);
        for (NodeProfile profile : profiles) {
            NodeRegistration.register(client, profile, endpoint.port());
        }
        leases.start(leaseInterval);
        NodeStatusReporter status = new NodeStatusReporter(client, profiles, endpoint.port());
        status.start(NodeStatusReporter.DEFAULT_INTERVAL);
        SimulatedPods pods = new SimulatedPods(client, hostIps, stats);
        pods.start();
        Path volumes = Files.createTempDirectory("qube-simulated-volumes");
        LocalPathProvisioner provisioner = LocalPathProvisioner.start(client, hostIps.keySet(), volumes);
        return new SimulatedNodes(leases, status, pods, endpoint, provisioner, volumes);
    }

    /** The port of the nodes' endpoint. */
    public int port() {
        return endpoint.port();
    }

    @Override
    public void close() throws IOException {
        provisioner.close();
        pods.close();
        endpoint.close();
        status.close();
        leases.close();
        FileTrees.delete(volumes);
    }
}
