package io.qube.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.Quarkus;
import io.qube.agent.dns.NodeDnsConfig;
import io.qube.agent.node.EvictionManager;
import io.qube.agent.node.EvictionThresholds;
import io.qube.agent.node.ImageGarbageCollector;
import io.qube.agent.node.MachineNode;
import io.qube.agent.node.NodeProfile;
import io.qube.agent.node.NodeRegistration;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code qube agent}: joins a cluster as one or more nodes and runs the pods bound to them. */
@Command(name = "agent", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Joins a Qube (or Kubernetes) cluster as a node. With --runtime simulated, as --nodes "
                + "simulated nodes whose pods run without processes.")
public class AgentCommand implements Callable<Integer> {

    /**
     * How long a stopped agent may take to close a machine node (containerd alone may take 15 s; with
     * --remove-pods-on-exit, each pod's sandbox is removed too).
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(90);

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

    @Option(names = "--registry-config", paramLabel = "FILE",
            description = "Registry mirrors and credentials for the agent's own containerd, as k3s' registries.yaml "
                    + "(cri runtime). Registries on loopback are reached over plain HTTP without it.")
    Path registryConfig;

    @Option(names = "--remove-pods-on-exit",
            description = "On a clean stop, remove every pod's containers and sandbox and the pod bridge (cri "
                    + "runtime), as `qube up` does for a development cluster. Default: leave them running for the "
                    + "next start to adopt.")
    boolean removePodsOnExit;

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
            description = "Where the agent keeps its pods and its local-path volumes (process and cri runtimes). "
                    + "Default: /var/lib/qube/agent/NAME.")
    Path stateDir;

    @Option(names = "--pod-cidr", paramLabel = "CIDR",
            description = "The addresses of this node's pods when the agent runs as root (process and cri runtimes), "
                    + "claimed as the Node's spec.podCIDR, which other nodes route to this one. Default: the "
                    + "Node's spec.podCIDR as the control plane's node IPAM gives it.")
    String podCidr;

    @Option(names = "--bridge", defaultValue = "qube0", paramLabel = "NAME",
            description = "The host bridge of this node's pods (process runtime, root). Default: ${DEFAULT-VALUE}.")
    String bridge;

    @Option(names = "--port", paramLabel = "N",
            description = "The node's endpoint for logs, exec, port-forward, metrics and resource use, which the "
                    + "apiserver reaches (0 picks a free port). Default: 10250; simulated nodes: a free port, which "
                    + "all of them share.")
    Integer port;

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

    @Option(names = "--image-gc-high-threshold", defaultValue = "85", paramLabel = "PERCENT",
            description = "Image garbage collection starts when the image file system is used above this (cri "
                    + "runtime). Default: ${DEFAULT-VALUE}.")
    int imageGcHigh;

    @Option(names = "--image-gc-low-threshold", defaultValue = "80", paramLabel = "PERCENT",
            description = "... and removes unused images until it is used at most this. Default: ${DEFAULT-VALUE}.")
    int imageGcLow;

    @Option(names = "--image-minimum-gc-age", defaultValue = "2m", paramLabel = "D",
            description = "An unused image younger than this is kept. Default: ${DEFAULT-VALUE}.")
    String imageMinimumGcAge;

    @Option(names = "--image-gc-period", defaultValue = "5m", paramLabel = "D", hidden = true,
            description = "How often image garbage collection looks at the image file system.")
    String imageGcPeriod;

    @Option(names = "--eviction-hard", defaultValue = EvictionThresholds.DEFAULT, paramLabel = "SIGNAL<Q,...",
            description = "Hard eviction thresholds (memory.available, nodefs.available as a quantity or a "
                    + "percentage); '' for none. Default: ${DEFAULT-VALUE}.")
    String evictionHard;

    @Option(names = "--system-reserved", paramLabel = "cpu=C,memory=M", split = ",",
            description = "Resources kept for the system, not allocatable to pods.")
    Map<String, String> systemReserved = new LinkedHashMap<>();

    @Option(names = "--kube-reserved", paramLabel = "cpu=C,memory=M", split = ",",
            description = "Resources kept for the agent and runtime, not allocatable to pods.")
    Map<String, String> kubeReserved = new LinkedHashMap<>();

    @Option(names = "--eviction-interval", defaultValue = "10s", paramLabel = "D", hidden = true,
            description = "How often the eviction manager looks at the node's signals.")
    String evictionInterval;

    @Option(names = "--proxy-mode", paramLabel = "MODE",
            description = "iptables (the node's service proxy programs ClusterIPs and NodePorts as kube-proxy's "
                    + "iptables mode; needs root) or none. Default: iptables for the cri runtime, none for the process "
                    + "runtime, whose pods share the host's network with other agents.")
    String proxyMode;

    @Option(names = "--cluster-dns", paramLabel = "IP,...", split = ",",
            description = "The nameservers of ClusterFirst pods (cri runtime). Default: the cluster IP of "
                    + "kube-system/kube-dns at the agent's start; without it such pods get the node's resolv.conf.")
    List<String> clusterDns = new java.util.ArrayList<>();

    @Option(names = "--cluster-domain", defaultValue = NodeDnsConfig.DEFAULT_DOMAIN, paramLabel = "DOMAIN",
            description = "The cluster's DNS domain (cri runtime). Default: ${DEFAULT-VALUE}.")
    String clusterDomain;

    @Option(names = "--resolv-conf", defaultValue = "/etc/resolv.conf", paramLabel = "FILE",
            description = "The node's resolv.conf: Default pods get it, the node's DNS server forwards names outside "
                    + "the cluster to its nameservers (cri runtime). Default: ${DEFAULT-VALUE}.")
    Path resolvConf;

    @Option(names = "--serve-cluster-dns", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Serve cluster DNS on the node's InternalIP, as kube-system/kube-dns's endpoint on this "
                    + "node (cri runtime). Default: ${DEFAULT-VALUE}.")
    boolean serveClusterDns;

    @Option(names = "--cluster-dns-port", defaultValue = "53", paramLabel = "N", hidden = true,
            description = "The port of the node's DNS server.")
    int clusterDnsPort;

    @Option(names = "--housekeeping-interval", defaultValue = "10s", paramLabel = "D", hidden = true,
            description = "How often the node's and containers' cpu and memory are sampled (cadvisor's "
                    + "housekeeping; e.g. 10s).")
    String housekeepingInterval;

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
             SimulatedNodes running = SimulatedNodes.start(client, vertx, SimulatedNodes.profiles(prefix, nodes, cpu,
                     memory, maxPods, labels), duration(leaseInterval), port == null ? 0 : port)) {
            System.out.println("qube agent: " + nodes + " simulated node(s) " + prefix + "-0.." + prefix + "-"
                    + (nodes - 1) + " registered, endpoint port " + running.port() + "; running until stopped");
            Quarkus.waitForExit();
        }
        return 0;
    }

    private int runMachineNode() throws IOException {
        String node = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().toLowerCase();
        boolean serviceProxy = serviceProxy();
        Path state = stateDir != null ? stateDir : Path.of("/var/lib/qube/agent", node);
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        // On SIGTERM the JVM exits as soon as its shutdown hooks end, and Quarkus' do not wait for this method:
        // without a hook of its own, the closing below (the node's routes, the agent's containerd) is cut short.
        CountDownLatch closed = new CountDownLatch(1);
        // Stopped before the node runs (still waiting for the API or the Node's pod CIDR), the start is interrupted
        // so that what was made already (the agent's containerd) is closed too.
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
        Thread starting = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!running.get()) {
                starting.interrupt();
            }
            try {
                closed.await(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent-close"));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             ContainerRuntime containers = runtime.equals("cri")
                     ? CriRuntime.start(state, runtimeEndpoint, sandboxImage, bridge, podCidr, registryConfig)
                     : ProcessRuntime.start(state, bridge, podCidr)) {
            EvictionThresholds thresholds;
            try {
                thresholds = EvictionThresholds.parse(evictionHard);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--eviction-hard: " + e.getMessage());
            }
            NodeProfile profile = MachineNode.profile(node, nodeIp, maxPods, labels, containers, podCidr,
                    reserved(thresholds));
            // The pod network of the agent's own containerd is the agent's (CniConfig); another runtime's is not.
            String masquerade = runtime.equals("cri") && runtimeEndpoint == null ? bridge : null;
            ImageGarbageCollector.Settings imageGc = new ImageGarbageCollector.Settings(imageGcHigh, imageGcLow,
                    duration(imageMinimumGcAge), duration(imageGcPeriod));
            ImageGarbageCollector collector = containers.images().map(manager -> new ImageGarbageCollector(
                    ImageGarbageCollector.Node.of(containers), manager, java.util.Set.of(sandboxImage), imageGc,
                    java.time.Clock.systemUTC())).orElse(null);
            try (MachineNode machine = MachineNode.start(client, vertx, profile, containers,
                    duration(leaseInterval), port == null ? NodeRegistration.KUBELET_PORT : port, masquerade,
                    new MachineNode.Eviction(thresholds,
                            duration(evictionInterval), state, collector == null ? EvictionManager.DiskReclaim.NONE
                            : () -> collector.deleteUnused()), serviceProxy, runtime.equals("cri")
                            ? new NodeDnsConfig(clusterDns, clusterDomain, resolvConf, clusterDnsPort, serveClusterDns)
                            : null, duration(housekeepingInterval))) {
                running.set(true);
                Thread.interrupted(); // a stop that came as the start ended: waitForExit returns at once anyway
                if (collector != null) {
                    collector.start();
                }
                System.out.println("qube agent: node " + node + " (" + profile.internalIp() + ", endpoint port "
                        + machine.port() + ", runtime " + containers.version() + ") registered; running until "
                        + "stopped");
                Quarkus.waitForExit();
            } finally {
                if (collector != null) {
                    collector.close();
                }
            }
            if (removePodsOnExit && containers instanceof CriRuntime cri) {
                cri.removeEverything();
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /** Whether this node runs the service proxy (--proxy-mode). */
    private boolean serviceProxy() {
        String mode = proxyMode != null ? proxyMode : runtime.equals("cri") ? "iptables" : "none";
        return switch (mode) {
            case "iptables" -> true;
            case "none" -> false;
            default -> throw new ParameterException(spec.commandLine(), "--proxy-mode " + mode
                    + " is not a mode of this agent; use iptables or none");
        };
    }

    /**
     * What pods may not have, as the kubelet computes it: system and kube reservations, plus memory's hard
     * eviction threshold (in bytes) so that pods filling their allocatable do not trigger eviction.
     */
    private Map<String, io.fabric8.kubernetes.api.model.Quantity> reserved(EvictionThresholds thresholds) {
        Map<String, java.math.BigDecimal> sums = new LinkedHashMap<>();
        for (Map<String, String> reservation : List.of(systemReserved, kubeReserved)) {
            reservation.forEach((resource, value) -> {
                if (!List.of("cpu", "memory", "ephemeral-storage", "pid").contains(resource)) {
                    throw new ParameterException(spec.commandLine(), "reserved resource " + resource
                            + " is not cpu, memory, ephemeral-storage or pid");
                }
                sums.merge(resource, io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                        new io.fabric8.kubernetes.api.model.Quantity(value)), java.math.BigDecimal::add);
            });
        }
        EvictionThresholds.Threshold memory = thresholds.thresholds().get(EvictionThresholds.MEMORY);
        if (memory != null && !memory.percent()) {
            sums.merge("memory", memory.value(), java.math.BigDecimal::add);
        }
        Map<String, io.fabric8.kubernetes.api.model.Quantity> reserved = new LinkedHashMap<>();
        sums.forEach((resource, amount) -> reserved.put(resource,
                new io.fabric8.kubernetes.api.model.Quantity(amount.toPlainString())));
        return reserved;
    }

    /** A duration as the kubelet's flags write them: 90s, 2m, 1h. */
    private Duration duration(String value) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(\\d+)([smh])").matcher(value.trim());
        if (!matcher.matches()) {
            throw new ParameterException(spec.commandLine(), "invalid duration " + value + " (e.g. 90s, 2m, 1h)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
