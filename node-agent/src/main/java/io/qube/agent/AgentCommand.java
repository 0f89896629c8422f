package io.qube.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.Quarkus;
import io.qube.agent.network.PodMasquerade;
import io.qube.agent.node.MachineNode;
import io.qube.agent.node.NodeProfile;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.cri.CriRuntime;
import io.qube.agent.runtime.process.ProcessRuntime;
import io.qube.agent.runtime.simulated.SimulatedNodes;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code qube agent}: joins a cluster as one or more nodes and runs the pods bound to them. */
@Command(name = "agent", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Joins a Qube (or Kubernetes) cluster as a node. With --runtime simulated, as --nodes "
                + "simulated nodes whose pods run without processes.")
public class AgentCommand implements Callable<Integer> {

    /** How long a stopped agent may take to close a machine node (containerd alone may take 15 s). */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(45);

    @Spec
    CommandSpec spec;

    @Inject
    Vertx vertx;

    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
            description = "The kubeconfig to reach the API with (e.g. DIR/kubeconfig of `qube up`).")
    Path kubeconfig;

    @Option(names = "--runtime", defaultValue = "process", paramLabel = "RUNTIME",
            description = "cri (containers from images, run by containerd or another CRI runtime), process "
                    + "(containers are host processes: see docs/process-runtime.md) or simulated (--nodes nodes "
                    + "whose pods run without processes). Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(names = "--container-runtime-endpoint", paramLabel = "SOCKET",
            description = "The CRI runtime's unix socket (cri runtime). Default: the agent starts its own "
                    + "containerd under the state directory.")
    Path runtimeEndpoint;

    @Option(names = "--sandbox-image", defaultValue = "registry.k8s.io/pause:3.10", paramLabel = "IMAGE",
            description = "The pod sandbox (pause) image of the agent's own containerd (cri runtime); a machine "
                    + "without internet names one in its own registry. Default: ${DEFAULT-VALUE}.")
    String sandboxImage;

    @Option(names = "--name", paramLabel = "NAME", description = "The node's name (process runtime). Default: the host name.")
    String name;

    @Option(names = "--node-ip", paramLabel = "IP",
            description = "The node's InternalIP (process runtime). Default: the first non-loopback IPv4 address.")
    String nodeIp;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the agent keeps its pods (process and cri runtimes). Default: /var/lib/qube/agent/NAME.")
    Path stateDir;

    @Option(names = "--pod-cidr", defaultValue = "10.88.0.0/24", paramLabel = "CIDR",
            description = "The addresses of this node's pods when the agent runs as root (process and cri runtimes); "
                    + "one given is also the Node's spec.podCIDR, which other nodes route to this one. "
                    + "Default: ${DEFAULT-VALUE}.")
    String podCidr;

    @Option(names = "--bridge", defaultValue = "qube0", paramLabel = "NAME",
            description = "The host bridge of this node's pods (process runtime, root). Default: ${DEFAULT-VALUE}.")
    String bridge;

    @Option(names = "--port", defaultValue = "10250", paramLabel = "N",
            description = "The node's endpoint for logs, exec and port-forward, which the apiserver reaches "
                    + "(process runtime; 0 picks a free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N", description = "Simulated nodes to run. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--name-prefix", defaultValue = "sim", paramLabel = "P",
            description = "Simulated nodes are named P-0, P-1, ... Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--cpu", defaultValue = "4", paramLabel = "C", description = "CPU capacity of each simulated node. Default: ${DEFAULT-VALUE}.")
    String cpu;

    @Option(names = "--memory", defaultValue = "16Gi", paramLabel = "M",
            description = "Memory capacity of each simulated node. Default: ${DEFAULT-VALUE}.")
    String memory;

    @Option(names = "--max-pods", defaultValue = "110", paramLabel = "K", description = "Pods per node. Default: ${DEFAULT-VALUE}.")
    int maxPods;

    @Option(names = "--node-labels", paramLabel = "k=v,...", split = ",", description = "Extra labels for every node.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--lease-interval", defaultValue = "10s", paramLabel = "D", hidden = true,
            description = "How often leases are renewed (seconds, e.g. 10s).")
    String leaseInterval;

    @Override
    public Integer call() throws IOException {
        if (runtime.equals("process") || runtime.equals("cri")) {
            return runMachineNode();
        }
        if (!runtime.equals("simulated")) {
            throw new ParameterException(spec.commandLine(), "--runtime " + runtime + " is not a runtime of this "
                    + "agent; use cri, process or simulated");
        }
        if (nodes < 1) {
            throw new ParameterException(spec.commandLine(), "--nodes must be at least 1");
        }
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             SimulatedNodes running = SimulatedNodes.start(client, SimulatedNodes.profiles(prefix, nodes, cpu, memory,
                     maxPods, labels), Duration.ofSeconds(Long.parseLong(leaseInterval.replace("s", ""))))) {
            System.out.println("qube agent: " + nodes + " simulated node(s) " + prefix + "-0.." + prefix + "-"
                    + (nodes - 1) + " registered; running until stopped");
            Quarkus.waitForExit();
        }
        return 0;
    }

    private int runMachineNode() throws IOException {
        String node = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().toLowerCase();
        Path state = stateDir != null ? stateDir : Path.of("/var/lib/qube/agent", node);
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        // On SIGTERM the JVM exits as soon as its shutdown hooks end, and Quarkus' do not wait for this method:
        // without a hook of its own, the closing below (the node's routes, the agent's containerd) is cut short.
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                closed.await(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent-close"));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             ContainerRuntime containers = runtime.equals("cri")
                     ? CriRuntime.start(state, runtimeEndpoint, sandboxImage, bridge, podCidr)
                     : ProcessRuntime.start(state, bridge, podCidr)) {
            // A default --pod-cidr is every node's: only one given is claimed for the Node.
            NodeProfile profile = MachineNode.profile(node, nodeIp, maxPods, labels, containers,
                    spec.commandLine().getParseResult().hasMatchedOption("--pod-cidr") ? podCidr : null);
            // The pod network of the agent's own containerd is the agent's (CniConfig); another runtime's is not.
            PodMasquerade masquerade = runtime.equals("cri") && runtimeEndpoint == null
                    ? new PodMasquerade(bridge, podCidr) : null;
            try (MachineNode running = MachineNode.start(client, vertx, profile, containers,
                    Duration.ofSeconds(Long.parseLong(leaseInterval.replace("s", ""))), port, masquerade)) {
                System.out.println("qube agent: node " + node + " (" + profile.internalIp() + ", endpoint port "
                        + running.port() + ", runtime " + containers.version() + ") registered; running until "
                        + "stopped");
                Quarkus.waitForExit();
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
