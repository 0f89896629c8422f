package io.qube.agent.cri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Test-only: a private containerd for harness tests, with its root, state, socket and CNI configuration directory in
 * a temporary directory of its own and the CRI settings this machine needs (docs: machine.md). The agent's cri
 * runtime starts its own containerd in production; tests of that runtime should use it rather than this class,
 * which may then go.
 *
 * <p>Closing it force-deletes the tasks and containers left in every namespace, stops containerd by its PID, kills
 * any process that still names its directory (shims), unmounts what is left under it and deletes it. What containerd
 * keeps outside its directories is not removed: the empty {@code /run/containerd/{s,fifo,runc}} directories it shares
 * with any other containerd, and (CRI pods only) network namespaces and the CNI bridge, which whoever ran the pods
 * removes through CRI.
 */
public final class TestContainerd implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(30);
    private static final Duration CTR = Duration.ofSeconds(60);

    private final Path directory;
    private final Process process;

    private TestContainerd(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
    }

    /** Starts containerd and waits until it answers on its socket. */
    public static TestContainerd start(String sandboxImage) {
        Path directory;
        try {
            directory = Files.createTempDirectory("qube-containerd");
            Files.createDirectories(directory.resolve("cni"));
            Files.writeString(directory.resolve("config.toml"), config(directory, sandboxImage));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = TestFiles.logs().resolve("containerd-" + directory.getFileName() + ".log");
        Process process;
        try {
            process = new ProcessBuilder("containerd", "--config", directory.resolve("config.toml").toString())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            TestFiles.deleteTree(directory);
            throw new UncheckedIOException(e);
        }
        TestContainerd containerd = new TestContainerd(directory, process);
        try {
            await().atMost(READY).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("containerd exited with " + process.exitValue() + "; see " + log);
                }
                return Files.exists(containerd.socket()) && containerd.ctr("version").succeeded();
            });
        } catch (RuntimeException | Error e) {
            containerd.close();
            throw e;
        }
        return containerd;
    }

    /**
     * Own root, state and socket, so it shares nothing with a system containerd or another test's. The CRI keys are
     * those this machine needs: root here lacks CAP_SYS_RESOURCE (restrict_oom_score_adj), there is no internet (a
     * pause image of our own) and Debian's CNI plugins are in /usr/lib/cni.
     */
    private static String config(Path directory, String sandboxImage) {
        return """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"

                [grpc]
                  address = "%1$s/containerd.sock"

                [plugins."io.containerd.grpc.v1.cri"]
                  restrict_oom_score_adj = true
                  sandbox_image = "%2$s"

                [plugins."io.containerd.grpc.v1.cri".cni]
                  bin_dir = "/usr/lib/cni"
                  conf_dir = "%1$s/cni"
                """.formatted(directory, sandboxImage);
    }

    public Path socket() {
        return directory.resolve("containerd.sock");
    }

    /** Where a CNI conflist makes CRI pods' network; containerd picks one up without a restart. */
    public Path cniConfDir() {
        return directory.resolve("cni");
    }

    public Path directory() {
        return directory;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code ctr --address <socket> <arguments>}, run to its end. */
    public Commands.Result ctr(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket().toString()));
        command.addAll(List.of(arguments));
        return Commands.run(CTR, command);
    }

    /** The live processes that name this containerd's directory: containerd itself and the shims of its tasks. */
    public List<Long> processes() {
        List<Long> ours = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String commandLine = new String(Files.readAllBytes(entry.resolve("cmdline")),
                            StandardCharsets.UTF_8);
                    if (commandLine.contains(directory + "/")) {
                        ours.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException ended) {
                    // it ended while it was read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ours;
    }

    /** The mount points under this containerd's directory (overlay rootfs, shm), deepest first. */
    public List<String> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4].replace("\\040", " "))
                    .filter(point -> point.startsWith(directory + "/"))
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                removeTasks();
            }
        } finally {
            stop(process.toHandle());
            // a shim outlives containerd; only ours name our directory
            processes().forEach(pid -> ProcessHandle.of(pid).ifPresent(TestContainerd::stop));
            mounts().forEach(mount -> Commands.run(CTR, "umount", "--lazy", mount));
            // deleting through a mount could reach what it mounts: a host directory bind-mounted into a container
            List<String> left = mounts();
            if (!left.isEmpty()) {
                throw new IllegalStateException("still mounted, so " + directory + " was kept: " + left);
            }
            TestFiles.deleteTree(directory);
        }
    }

    /** Whatever a test left running: its processes killed, its containers deleted with their snapshots. */
    private void removeTasks() {
        for (String namespace : lines(ctr("namespaces", "list", "--quiet").ok())) {
            List<String> tasks = lines(ctr("--namespace", namespace, "tasks", "list", "--quiet").ok());
            for (String task : tasks) {
                ctr("--namespace", namespace, "tasks", "delete", "--force", task);
            }
            List<String> containers = lines(ctr("--namespace", namespace, "containers", "list", "--quiet").ok());
            if (!containers.isEmpty()) {
                List<String> delete = new ArrayList<>(List.of("--namespace", namespace, "containers", "delete"));
                delete.addAll(containers);
                ctr(delete.toArray(String[]::new));
            }
        }
    }

    private static List<String> lines(String output) {
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** SIGTERM, and SIGKILL if it has not ended after a while. */
    private static void stop(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
