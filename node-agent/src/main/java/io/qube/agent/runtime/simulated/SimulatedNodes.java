package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.FileTrees;
import io.qube.agent.node.LeaseRenewer;
import io.qube.agent.node.NodeProfile;
import io.qube.agent.node.NodeRegistration;
import io.qube.agent.node.NodeStatusReporter;
import io.qube.agent.storage.LocalPathProvisioner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many simulated nodes in one process: each registered with its own Node and Lease, their pods run without
 * processes, their claims provisioned by the local-path provisioner into a temporary directory that goes with them
 * (so that pods with claims of the default class are scheduled and run here too).
 */
public final class SimulatedNodes implements AutoCloseable {

    public static final String RUNTIME_VERSION = "simulated://0.1.0";

    private final LeaseRenewer leases;
    private final NodeStatusReporter status;
    private final SimulatedPods pods;
    private final LocalPathProvisioner provisioner;
    private final Path volumes;

    private SimulatedNodes(LeaseRenewer leases, NodeStatusReporter status, SimulatedPods pods,
                           LocalPathProvisioner provisioner, Path volumes) {
        this.leases = leases;
        this.status = status;
        this.pods = pods;
        this.provisioner = provisioner;
        this.volumes = volumes;
    }

    /**
     * The profiles of {@code count} nodes named {@code prefix-0} ... with the given capacity and extra labels;
     * each has an InternalIP of its own in 172.30.0.0/16 (simulated: nothing answers there).
     */
    public static List<NodeProfile> profiles(String prefix, int count, String cpu, String memory, int maxPods,
                                             Map<String, String> labels) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> new NodeProfile(prefix + "-" + i, cpu, memory,
                maxPods, "172.30." + (i / 254) + "." + (1 + i % 254), labels, RUNTIME_VERSION, null, Map.of()))
                .toList();
    }

    /** Registers every node, then keeps their leases and runs their pods until closed. */
    public static SimulatedNodes start(KubernetesClient client, List<NodeProfile> profiles, Duration leaseInterval)
            throws IOException {
        Map<String, String> hostIps = new LinkedHashMap<>();
        for (NodeProfile profile : profiles) {
            NodeRegistration.register(client, profile);
            hostIps.put(profile.name(), profile.internalIp());
        }
        LeaseRenewer leases = new LeaseRenewer(client, List.copyOf(hostIps.keySet()));
        leases.start(leaseInterval);
        NodeStatusReporter status = new NodeStatusReporter(client, profiles, NodeRegistration.KUBELET_PORT);
        status.start(NodeStatusReporter.DEFAULT_INTERVAL);
        SimulatedPods pods = new SimulatedPods(client, hostIps);
        pods.start();
        Path volumes = Files.createTempDirectory("qube-simulated-volumes");
        LocalPathProvisioner provisioner = LocalPathProvisioner.start(client, hostIps.keySet(), volumes);
        return new SimulatedNodes(leases, status, pods, provisioner, volumes);
    }

    @Override
    public void close() throws IOException {
        provisioner.close();
        pods.close();
        status.close();
        leases.close();
        FileTrees.delete(volumes);
    }
}
