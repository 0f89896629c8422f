package io.qube.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged node agent with the process or cri runtime, started as `qube agent` starts it, as a process of its own
 * that a test can stop gracefully or kill with SIGKILL and start again on the same state directory.
 */
final class QubeAgent implements AutoCloseable {

    private static final Path AGENT = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final List<String> prefix;
    private final List<String> args;
    private final Path log;
    private Process process;

    private QubeAgent(List<String> prefix, List<String> args, Path log) {
        this.prefix = prefix;
        this.args = args;
        this.log = log;
    }

    /**
     * @param bridge and {@code podCidr}: the test's own, so tests and a developer's `qube up` never share them
     */
    static QubeAgent start(Path kubeconfig, String name, Path stateDir, String bridge, String podCidr,
                           String... options) throws IOException {
        List<String> runtime = new ArrayList<>(List.of("--runtime", "process"));
        runtime.addAll(List.of(options));
        return start(List.of(), kubeconfig, name, "127.0.0.1", stateDir, bridge, podCidr, runtime);
    }

    /**
     * An agent with the cri runtime and its own containerd, whose sandboxes run {@code sandboxImage}, in the
     * machine's own network namespace: without the service proxy, whose chains there would be shared with every
     * other test's agent (a host of its own, below, has it).
     */
    static QubeAgent startCri(Path kubeconfig, String name, Path stateDir, String bridge, String podCidr,
                              String sandboxImage, String... options) throws IOException {
        List<String> runtime = new ArrayList<>(List.of("--runtime", "cri", "--sandbox-image", sandboxImage,
                "--proxy-mode", "none"));
        runtime.addAll(List.of(options));
        return start(List.of(), kubeconfig, name, "127.0.0.1", stateDir, bridge, podCidr, runtime);
    }

    /**
     * As {@link #startCri(Path, String, Path, String, String, String)}, on a host of its own: the agent's command
     * line starts with {@code prefix} (e.g. {@code ip netns exec NAME}), and the node's InternalIP is {@code nodeIp}.
     */
    static QubeAgent startCri(List<String> prefix, Path kubeconfig, String name, String nodeIp, Path stateDir,
                              String bridge, String podCidr, String sandboxImage, String... options)
            throws IOException {
        List<String> runtime = new ArrayList<>(List.of("--runtime", "cri", "--sandbox-image", sandboxImage));
        runtime.addAll(List.of(options));
        return start(prefix, kubeconfig, name, nodeIp, stateDir, bridge, podCidr, runtime);
    }

    private static QubeAgent start(List<String> prefix, Path kubeconfig, String name, String nodeIp, Path stateDir,
                                   String bridge, String podCidr, List<String> runtime) throws IOException {
        List<String> args = new ArrayList<>(List.of("--kubeconfig", kubeconfig.toString(), "--name", name,
                "--node-ip", nodeIp, "--state-dir", stateDir.toString(), "--bridge", bridge, "--pod-cidr",
                podCidr, "--port", "0", "--lease-interval", "2s"));
        args.addAll(runtime);
        QubeAgent agent = new QubeAgent(List.copyOf(prefix), args, stateDir.resolveSibling(name + "-agent.log"));
        agent.start();
        return agent;
    }

    void start() throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", AGENT.toString()));
        command.addAll(args);
        Files.writeString(log, "--- agent start\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            // Two minutes: on a machine shared by several test runs, a JVM start and registration took over one.
            await().atMost(java.time.Duration.ofSeconds(120)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the agent exited with " + process.exitValue() + ":\n" + log());
                }
                // This start's part of the log: a restarted agent appends to the log of the one before.
                String log = log();
                return log.substring(log.lastIndexOf("--- agent start")).contains("registered; running until stopped");
            });
        } catch (RuntimeException | AssertionError e) {
            // The caller never gets this agent to close: stopped here, it stops the containerd it started and
            // leaves no process in the test's network namespace.
            try {
                close();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** SIGKILL, as a crash or an OOM kill of the agent would end it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
