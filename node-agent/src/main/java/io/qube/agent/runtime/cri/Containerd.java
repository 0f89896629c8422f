package io.qube.agent.runtime.cri;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The containerd the agent runs for itself, k3s-style, when no runtime endpoint is given: its own config, root,
 * state and socket under the agent's directory, so it never meets a containerd the machine runs for others.
 * A containerd left running by an agent that was killed is adopted (its socket answers); stopping it leaves
 * the containers running, since each has its own shim, and the next containerd finds them again.
 */
final class Containerd implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Containerd.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final Path directory;
    private final long pid;

    private Containerd(Path directory, long pid) {
        this.directory = directory;
        this.pid = pid;
    }

    /** The settings of the containerd's CRI plugin that the agent decides. */
    record Settings(String sandboxImage, Path cniBinDir, Path cniConfDir, Path registryHosts,
                    RegistryConfig registries) {
    }

    static Path socket(Path directory) {
        return directory.resolve("containerd.sock");
    }

    /** Starts containerd in {@code directory}, or adopts the one already answering there. */
    static Containerd startOrAdopt(Path directory, Settings settings) throws IOException {
        Files.createDirectories(directory);
        Path pidFile = directory.resolve("containerd.pid");
        if (answers(directory, Duration.ofSeconds(2))) {
            if (!Files.exists(pidFile)) {
                throw new IOException("a containerd answers at " + socket(directory) + " that this agent did not "
                        + "start (no " + pidFile + "): stop it, or give its socket as --container-runtime-endpoint");
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            LOG.infof("adopted the running containerd %d at %s", pid, socket(directory));
            return new Containerd(directory, pid);
        }
        Path config = directory.resolve("config.toml");
        Files.writeString(config, config(directory, settings));
        Files.deleteIfExists(socket(directory));
        Path log = directory.resolve("containerd.log");
        // A session of its own: a Ctrl-C meant for the agent (`qube up` in a terminal) must not stop containerd
        // before the agent has done with it.
        List<String> command = new java.util.ArrayList<>();
        find("setsid").ifPresent(setsid -> command.add(setsid.toString()));
        command.addAll(List.of(binary(), "--config", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Files.writeString(pidFile, Long.toString(process.pid()));
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        try {
            while (!answers(directory, Duration.ofSeconds(1))) {
                if (!process.isAlive()) {
                    throw new IOException("containerd exited with " + process.exitValue() + " at start; see " + log);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("containerd did not answer on " + socket(directory) + " within "
                            + START_TIMEOUT.toSeconds() + " s; see " + log);
                }
                sleep(Duration.ofMillis(100));
            }
        } catch (IOException e) {
            process.destroyForcibly(); // a start given up (or interrupted by a stop) leaves no containerd behind
            throw e;
        }
        LOG.infof("started containerd %d at %s", process.pid(), socket(directory));
        return new Containerd(directory, process.pid());
    }

    /** The containerd binary on the PATH; the agent picks the cri runtime only when there is one. */
    static String binary() throws IOException {
        return find("containerd").map(Path::toString)
                .orElseThrow(() -> new IOException("no containerd on the PATH (install containerd, or give "
                        + "--container-runtime-endpoint)"));
    }

    static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean answers(Path directory, Duration deadline) {
        if (!Files.exists(socket(directory))) {
            return false;
        }
        try (CriClient client = new CriClient(socket(directory))) {
            client.version(deadline);
            return true;
        } catch (CriClient.CriException e) {
            return false;
        }
    }

    static String config(Path directory, Settings settings) {
        String cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
        return String.join("\n", List.of(
                "# Written by the Qube node agent at each start; edits are lost.",
                "version = 2",
                "root = " + quoted(directory.resolve("root")),
                "state = " + quoted(directory.resolve("state")),
                "[grpc]",
                "  address = " + quoted(socket(directory)),
                "[ttrpc]",
                "  address = " + quoted(directory.resolve("containerd.sock.ttrpc")),
                "[plugins.\"io.containerd.internal.v1.opt\"]",
                "  path = " + quoted(directory.resolve("opt")),
                cri + "]",
                "  sandbox_image = " + quoted(settings.sandboxImage()),
                // Root here lacks CAP_SYS_RESOURCE on some machines: without this, every sandbox fails to start.
                "  restrict_oom_score_adj = true",
                // exec and port-forward streams; port 0: several nodes' containerds on one machine never clash.
                "  stream_server_address = \"127.0.0.1\"",
                "  stream_server_port = \"0\"",
                cri + ".containerd]",
                "  snapshotter = \"overlayfs\"",
                "  default_runtime_name = \"runc\"",
                cri + ".containerd.runtimes.runc]",
                "  runtime_type = \"io.containerd.runc.v2\"",
                cri + ".containerd.runtimes.runc.options]",
                "  Root = " + quoted(directory.resolve("runc")),
                cri + ".cni]",
                "  bin_dir = " + quoted(settings.cniBinDir()),
                "  conf_dir = " + quoted(settings.cniConfDir()),
                cri + ".registry]",
                "  config_path = " + quoted(settings.registryHosts()),
                settings.registries().authToml()));
    }

    private static String quoted(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    Path socket() {
        return socket(directory);
    }

    /** Stops containerd (SIGTERM, then SIGKILL); the containers' shims keep them running. */
    @Override
    public void close() {
        ProcessHandle.of(pid).ifPresent(handle -> {
            handle.destroy();
            try {
                handle.onExit().get(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        });
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting containerd", e);
        }
    }
}
