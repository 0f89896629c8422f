package io.qube.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A packaged control plane and a real {@code qube agent --runtime simulated} running {@code nodes} nodes named
 * {@code <prefix>-0...}: the cluster the end-to-end tests of scheduling and workloads share. Closing it stops the
 * agent (which must end within a minute) and the control plane.
 */
final class SimulatedCluster extends Cluster {

    private static final Path AGENT = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final String prefix;
    private final int nodes;
    private final String[] nodeFlags;
    private final Process agent;
    private final Path agentLog;
    /** Agents joined later ({@link #join}), each with its log. */
    private final List<Process> joined = new ArrayList<>();
    private final List<Path> joinedLogs = new ArrayList<>();

    /** Starts both and waits until every node is registered; {@code nodeFlags} size each node. */
    static SimulatedCluster start(int nodes, String prefix, String... nodeFlags) throws Exception {
        return new SimulatedCluster(Map.of(), nodes, prefix, nodeFlags);
    }

    /** As {@link #start(int, String, String...)}, with configuration properties for the control plane. */
    static SimulatedCluster start(Map<String, String> settings, int nodes, String prefix, String... nodeFlags)
            throws Exception {
        return new SimulatedCluster(settings, nodes, prefix, nodeFlags);
    }

    private SimulatedCluster(Map<String, String> settings, int nodes, String prefix, String... nodeFlags)
            throws Exception {
        super(settings);
        this.prefix = prefix;
        this.nodes = nodes;
        this.nodeFlags = nodeFlags.clone();
        agentLog = Files.createTempFile(prefix + "-agent", ".log");
        Process started = null;
        try {
            started = startAgent(nodes, prefix, agentLog, nodeFlags);
            agent = started;
            await().atMost(Duration.ofSeconds(60 + nodes / 5)).untilAsserted(() -> assertThat(client.nodes().list().getItems())
                    .hasSize(nodes));
        } catch (Exception | AssertionError e) {
            if (started != null) {
                started.destroyForcibly();
            }
            closeControlPlane();
            throw e;
        }
    }

    /**
     * Starts one more agent with {@code nodes} nodes named {@code <prefix>-0...}, as a machine joining the cluster,
     * and waits until they are registered; it stops with the cluster.
     */
    void join(int nodes, String prefix, String... nodeFlags) throws Exception {
        int before = client.nodes().list().getItems().size();
        Path log = Files.createTempFile(prefix + "-agent", ".log");
        joinedLogs.add(log);
        joined.add(startAgent(nodes, prefix, log, nodeFlags));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(client.nodes().list().getItems())
                .hasSize(before + nodes));
    }

    /** The {@code nodes} nodes named {@code <prefix>-0...}. */
    @Override
    List<String> nodeNames() {
        return java.util.stream.IntStream.range(0, nodes).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** One node of its own agent, {@code late<n>-0}, sized as the first nodes. */
    @Override
    String joinNode() throws Exception {
        String joinedPrefix = "late" + joined.size();
        join(1, joinedPrefix, nodeFlags);
        return joinedPrefix + "-0";
    }

    /** The simulated runtime gives pods IPs from 10.240.0.0/12. */
    @Override
    String podIpPrefix() {
        return "10.24";
    }

    /** One more agent process, logging to {@code log}, that the caller stops (or kills) itself. */
    Process startAgent(int nodes, String prefix, Path log, String... nodeFlags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", AGENT.toString(), "--kubeconfig", qube.kubeconfig().toString(),
                "--runtime", "simulated", "--nodes", Integer.toString(nodes), "--name-prefix", prefix));
        command.addAll(List.of(nodeFlags));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Override
    public void close() throws Exception {
        try {
            for (int i = 0; i < joined.size(); i++) {
                stop(joined.get(i), joinedLogs.get(i));
            }
            stop(agent, agentLog);
        } finally {
            closeControlPlane();
        }
    }

    private static void stop(Process process, Path log) throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        Files.delete(log);
    }
}
