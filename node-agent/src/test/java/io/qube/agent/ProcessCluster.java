package io.qube.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged control plane and real `qube agent --runtime process` agents, one per node, each with its own state
 * directory, bridge {@code qubee2e<i>} and pod CIDR {@code 10.83.<i>.0/24} (no other test or developer on the
 * machine uses these), whose pods run as processes of this machine. Closing it deletes every workload and pod,
 * asserts that the agents removed everything their pods had (processes, network namespaces, cgroups, sandboxes),
 * stops the agents and removes their bridges.
 */
final class ProcessCluster extends Cluster {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** cgroup v1's hierarchies and v2's root, under which the runtime makes {@code qube/<pod uid>}. */
    private static final List<Path> CGROUP_ROOTS = Stream.of("memory", "cpu", "cpuacct", "pids", "")
            .map(name -> Path.of("/sys/fs/cgroup", name, "qube")).toList();

    /**
     * Each node's bridge is {@code <bridge><i>} and pod CIDR {@code <podCidrPrefix><i>.0/24}; a test run beside other
     * developers' tests on one machine takes its own (the default is this class's long-standing pair).
     */
    record Network(String bridge, String podCidrPrefix) {
        static final Network DEFAULT = new Network("qubee2e", "10.83.");
    }

    private final String prefix;
    private final Network network;
    private final int nodes;
    private final Path work;
    private final List<QubeAgent> agents = new ArrayList<>();
    /** Options every agent of this cluster starts with (after the node's own). */
    private final String[] agentOptions;
    /** Every pod the cluster ever had, whose traces on the machine must all be gone at the end. */
    private final PodUidWatch podUids;

    private ProcessCluster(Map<String, String> settings, int nodes, String prefix, Network network,
                           String... agentOptions) throws Exception {
        super(settings);
        this.prefix = prefix;
        this.network = network;
        this.nodes = nodes;
        this.agentOptions = agentOptions;
        work = Files.createTempDirectory("qube-e2e-" + prefix);
        podUids = new PodUidWatch(client);
        try {
            for (int i = 0; i < nodes; i++) {
                joinNode();
            }
        } catch (Exception | AssertionError e) {
            stopAgents();
            throw e;
        }
    }

    /** A control plane with {@code settings} and {@code nodes} process-runtime nodes {@code <prefix>-0...}. */
    static ProcessCluster start(Map<String, String> settings, int nodes, String prefix) throws Exception {
        return new ProcessCluster(settings, nodes, prefix, Network.DEFAULT);
    }

    /**
     * As {@link #start(Map, int, String)}, on the given bridges and pod CIDRs, each agent with {@code agentOptions}
     * added to its command line.
     */
    static ProcessCluster start(Map<String, String> settings, int nodes, String prefix, Network network,
                                String... agentOptions) throws Exception {
        return new ProcessCluster(settings, nodes, prefix, network, agentOptions);
    }

    @Override
    List<String> nodeNames() {
        return java.util.stream.IntStream.range(0, nodes).mapToObj(this::name).toList();
    }

    @Override
    String joinNode() throws Exception {
        int index = agents.size();
        String name = name(index);
        agents.add(QubeAgent.start(qube.kubeconfig(), name, stateDir(name), bridge(index),
                network.podCidrPrefix() + index + ".0/24", agentOptions));
        await().atMost(WAIT).until(() -> ready(client.nodes().withName(name).get()));
        return name;
    }

    @Override
    String podIpPrefix() {
        return network.podCidrPrefix();
    }

    /** SIGKILLs the node's agent; its containers, whose parents are their shims, run on. */
    void kill(String node) throws InterruptedException {
        agents.get(index(node)).kill();
    }

    /** Starts the node's agent again on its state directory, as after a crash. */
    void restart(String node) throws IOException {
        agents.get(index(node)).start();
    }

    /** The PID of the pod's first container, as its shim recorded it in the node's state. */
    long containerPid(Pod pod) throws IOException {
        String id = pod.getStatus().getContainerStatuses().get(0).getContainerID().substring("process://".length());
        String[] parts = id.split("/");
        Path pid = sandbox(pod.getSpec().getNodeName(), parts[0]).resolve("containers").resolve(parts[1])
                .resolve("pid");
        return Long.parseLong(Files.readString(pid).split(" ")[0]);
    }

    /** The pod's sandbox directory in its node's state. */
    Path sandbox(String node, String podUid) {
        return stateDir(node).resolve("pods").resolve(podUid);
    }

    /** Whether anything of the pod is left on the machine: its network namespace or a cgroup. */
    static List<Path> traces(String podUid) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("/var/run/netns", "qube-" + podUid));
        CGROUP_ROOTS.forEach(root -> candidates.add(root.resolve(podUid)));
        return candidates.stream().filter(Files::exists).toList();
    }

    /** The PIDs of live processes of this cluster's pods: a shim from its directory or a process in a pod's cgroup. */
    List<Long> processes() throws IOException {
        List<Long> ours = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path process : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String commandLine = new String(Files.readAllBytes(process.resolve("cmdline")),
                            StandardCharsets.UTF_8);
                    String cgroups = Files.readString(process.resolve("cgroup"));
                    // A shim runs from the state directory (the agents only name it in their arguments).
                    if (commandLine.startsWith(work.toString())
                            || podUids.uids().stream().anyMatch(uid -> cgroups.contains("/qube/" + uid))) {
                        ours.add(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException ended) {
                    // the process ended while it was read
                }
            }
        }
        return ours;
    }

    private String name(int index) {
        return prefix + "-" + index;
    }

    private int index(String node) {
        return Integer.parseInt(node.substring(prefix.length() + 1));
    }

    /** A directory of this cluster's own for a test's files (manifests, host paths), deleted when it closes. */
    Path work() {
        return work;
    }

    /** The node's agent state directory (its pods, volumes, logs of containers). */
    Path stateDir(String node) {
        return work.resolve(node);
    }

    private String bridge(int index) {
        return network.bridge() + index;
    }

    private static boolean ready(Node node) {
        return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    @Override
    public void close() throws Exception {
        try {
            removeAllPods();
            assertThat(podUids.uids()).as("the pod watch saw pods").isNotEmpty();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(podUids.traces()).isEmpty();
                assertThat(processes()).isEmpty();
            });
        } finally {
            stopAgents();
        }
    }

    /** Stops the agents, removes their bridges, keeps their logs and stops the control plane. */
    private void stopAgents() throws Exception {
        podUids.close();
        try {
            for (QubeAgent agent : agents) {
                agent.close();
            }
        } finally {
            for (int i = 0; i < agents.size(); i++) {
                new ProcessBuilder("ip", "link", "del", bridge(i)).start().waitFor();
                assertThat(new ProcessBuilder("ip", "link", "show", bridge(i)).start().waitFor())
                        .as("bridge %s is gone", bridge(i)).isNotZero();
            }
            keepLogs(work);
            closeControlPlane();
            deleteTree(work);
        }
    }

    /** Deletes the workloads first (or they would make pods again), then every pod; waits until the agents removed their sandboxes. */
    private void removeAllPods() throws Exception {
        kubectl.ok("delete", "cronjobs,jobs,deployments,replicasets,daemonsets", "--all", "--all-namespaces",
                "--cascade=background", "--wait=false");
        await().atMost(WAIT).untilAsserted(() -> {
            client.pods().inAnyNamespace().withGracePeriod(0).delete();
            assertThat(client.pods().inAnyNamespace().list().getItems()).isEmpty();
            for (int i = 0; i < agents.size(); i++) {
                try (Stream<Path> left = Files.list(stateDir(name(i)).resolve("pods"))) {
                    assertThat(left.toList()).as("sandboxes of %s", name(i)).isEmpty();
                }
            }
        });
    }

    /** The agents' logs, kept under target/ for a failed run to be read. */
    static void keepLogs(Path work) throws IOException {
        Path kept = Files.createDirectories(Path.of("target", "it-logs"));
        try (Stream<Path> logs = Files.list(work)) {
            for (Path log : logs.filter(path -> path.toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
