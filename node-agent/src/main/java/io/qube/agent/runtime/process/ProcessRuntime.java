package io.qube.agent.runtime.process;

import io.qube.agent.Commands;
import io.qube.agent.FileTrees;
import io.qube.agent.runtime.Attachment;
import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ExecResult;
import io.qube.agent.runtime.Execution;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.SandboxStatus;
import io.qube.agent.runtime.Terminal;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Containers as host process groups, Nomad's raw_exec model: each container is a command from the host's file
 * system started by {@code qube-shim}, which outlives the agent and records the container's PID, log and exit.
 * As root, each pod has its own network namespace (see {@link PodNetwork}), each container a private mount
 * namespace with the pod's volumes at their mount paths and a cgroup with its limits. Without root, containers
 * run in the node's namespaces, without limits, and see volumes only through the environment's paths.
 *
 * <p>State lives in files under {@code <state>/pods/<uid>/}: {@code sandbox.properties}, then one directory per
 * container start ({@code <name>_<attempt>}) with the shim's {@code pid}, {@code log} and {@code exit}.
 */
public final class ProcessRuntime implements ContainerRuntime {

    public static final String VERSION = "process://0.1.0";
    private static final Logger LOG = Logger.getLogger(ProcessRuntime.class);
    /** The kubelet's default containerLogMaxSize. */
    private static final long MAX_LOG_BYTES = 10L * 1024 * 1024;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(5);
    /** The top-level mount points a container's start script had to create on the host (see MountScript). */
    private static final String HOST_CREATED = "host-created";

    private final Path pods;
    /** Held while a pod's directory and the host mount points only it used are removed. */
    private final Object hostMountPoints = new Object();
    private final Path shim;
    private volatile PodNetwork network;
    private final String bridge;
    private final Path state;
    private final Cgroups cgroups;
    private final boolean isolated;

    private ProcessRuntime(Path pods, Path shim, String bridge, Path state, Cgroups cgroups, boolean isolated) {
        this.pods = pods;
        this.shim = shim;
        this.bridge = bridge;
        this.state = state;
        this.cgroups = cgroups;
        this.isolated = isolated;
    }

    /**
     * @param state  the agent's state directory
     * @param bridge the node's bridge for pod networks (root only)
     * @param podCidr the node's pod CIDR (root only); null: given later ({@link #usePodCidr})
     */
    public static ProcessRuntime start(Path state, String bridge, String podCidr) throws IOException {
        Path pods = Files.createDirectories(state.resolve("pods"));
        Path shim = extractShim(Files.createDirectories(state.resolve("bin")));
        boolean root = "root".equals(System.getProperty("user.name"));
        ProcessRuntime runtime = new ProcessRuntime(pods, shim, bridge, state, root ? Cgroups.detect("qube") : null,
                root);
        if (podCidr != null) {
            runtime.usePodCidr(podCidr);
        }
        return runtime;
    }

    /** As root, sets up the node's bridge for the range (once: the first range given stays). */
    @Override
    public synchronized void usePodCidr(String podCidr) throws IOException {
        if (isolated && network == null) {
            PodNetwork made = new PodNetwork(bridge, podCidr, state);
            made.setUp();
            network = made;
        }
    }

    private static Path extractShim(Path bin) throws IOException {
        Path target = bin.resolve("qube-shim");
        try (InputStream in = ProcessRuntime.class.getResourceAsStream("qube-shim")) {
            if (in == null) {
                throw new IOException("qube-shim is missing from the agent's build (it needs a C compiler, cc)");
            }
            Path temporary = bin.resolve("qube-shim.new");
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
            // A rename, not an overwrite: running shims keep their (old) file.
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    @Override
    public String version() {
        return VERSION;
    }

    /** The address pods of this node's network have, for a pod in the node's network. */
    public String gatewayOrNull() {
        return network == null ? null : network.gateway();
    }

    @Override
    public Sandbox runSandbox(SandboxConfig config) throws IOException {
        Path directory = Files.createDirectories(pods.resolve(config.podUid()));
        Path file = directory.resolve("sandbox.properties");
        if (Files.exists(file)) {
            return read(config.podUid()).sandbox();
        }
        String ip = null;
        Path netns = null;
        if (isolated && network == null && !config.hostNetwork()) {
            throw new IOException("the node has no pod CIDR yet (no --pod-cidr, and the Node has no spec.podCIDR)");
        }
        if (network != null && !config.hostNetwork()) {
            ip = network.attach(config.podUid());
            netns = PodNetwork.namespacePath(config.podUid());
        }
        Properties properties = new Properties();
        properties.setProperty("namespace", config.namespace());
        properties.setProperty("name", config.name());
        if (ip != null) {
            properties.setProperty("ip", ip);
            properties.setProperty("network", netns.toString());
        }
        Path temporary = directory.resolve("sandbox.properties.tmp");
        try (var out = Files.newOutputStream(temporary)) {
            properties.store(out, "qube pod sandbox");
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return new Sandbox(config.podUid(), ip, directory, netns);
    }

    @Override
    public void removeSandbox(String podUid) throws IOException {
        Path directory = pods.resolve(podUid);
        if (!Files.isDirectory(directory)) {
            return;
        }
        for (ContainerStatus container : containers(podUid)) {
            if (container.running()) {
                stopContainer(container.id(), Duration.ZERO);
            }
        }
        if (network != null) {
            network.detach(podUid);
        }
        if (cgroups != null) {
            cgroups.remove(podUid);
        }
        // Pods removed at once must agree on which host mount points another pod still uses, and none may lose
        // its sandbox file before its directory is gone: a removal that failed half-way is then tried again.
        synchronized (hostMountPoints) {
            Set<String> created = hostCreated(podUid);
            try (Stream<Path> others = Files.list(pods)) {
                for (Path other : others.toList()) {
                    if (!other.equals(directory)) {
                        created.removeAll(hostCreated(other.getFileName().toString()));
                    }
                }
            }
            FileTrees.delete(directory);
            for (String path : created) {
                removeIfEmpty(Path.of(path));
            }
        }
    }

    /** The host entries this pod's containers created as mount points. */
    private Set<String> hostCreated(String podUid) throws IOException {
        Set<String> paths = new java.util.HashSet<>();
        Path containers = pods.resolve(podUid).resolve("containers");
        if (Files.isDirectory(containers)) {
            try (Stream<Path> entries = Files.list(containers)) {
                for (Path container : entries.toList()) {
                    Path list = container.resolve(HOST_CREATED);
                    if (Files.exists(list)) {
                        paths.addAll(Files.readAllLines(list));
                    }
                }
            } catch (NoSuchFileException gone) {
                // A pod whose directory went meanwhile uses nothing any more.
            }
        }
        return paths;
    }

    /** Removes a mount point made on the host, unless something put content into it meanwhile. */
    private static void removeIfEmpty(Path path) throws IOException {
        if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.size(path) == 0) {
            Files.delete(path);
            return;
        }
        if (!Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            List<Path> entries = walk.sorted(Comparator.reverseOrder()).toList();
            boolean onlyDirectories = entries.stream().allMatch(entry -> Files.isDirectory(entry,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS));
            if (onlyDirectories) {
                for (Path entry : entries) {
                    Files.delete(entry);
                }
            }
        }
    }

    @Override
    public ContainerStatus startContainer(Sandbox sandbox, ContainerConfig config) throws IOException {
        String key = config.name() + "_" + config.attempt();
        Path directory = pods.resolve(sandbox.podUid()).resolve("containers").resolve(key);
        if (Files.exists(directory)) {
            FileTrees.delete(directory); // a start that did not finish before the agent ended
        }
        Files.createDirectories(directory);
        List<String> command = new ArrayList<>(List.of(shim.toString()));
        ContainerConfig.Streams streams = config.streams();
        if (streams.stdin()) {
            command.add("-i");
        }
        if (streams.stdin() && streams.stdinOnce()) {
            command.add("-o");
        }
        if (streams.tty()) {
            command.add("-t");
        }
        command.addAll(List.of(directory.toString(), Long.toString(MAX_LOG_BYTES)));
        if (cgroups != null) {
            cgroups.create(sandbox.podUid(), key, config.resources().memoryLimitBytes(),
                    config.resources().cpuLimitMillis())
                    .forEach(procs -> command.add(procs.toString()));
        }
        command.add("--");
        if (isolated) {
            if (sandbox.network() != null) {
                command.add("nsenter");
                command.add("--net=" + sandbox.network());
            }
            Path script = directory.resolve("start.sh");
            Files.writeString(script, MountScript.of(config.hostname(), config.mounts(), config.workingDir(),
                    directory.resolve("overlay").toString(), directory.resolve("start-error").toString(),
                    directory.resolve(HOST_CREATED).toString()));
            command.addAll(List.of("unshare", "--mount", "--uts", "--propagation", "private", "/bin/sh",
                    script.toString()));
        }
        command.addAll(config.commandLine());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("shim.log").toFile());
        if (!isolated && config.workingDir() != null && !config.workingDir().isEmpty()) {
            builder.directory(Path.of(config.workingDir()).toFile());
        }
        builder.environment().clear();
        builder.environment().putAll(config.env());
        Process process = builder.start();
        Files.writeString(directory.resolve("shim"), Long.toString(process.pid()));
        String id = containerId(sandbox.podUid(), key);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!Files.exists(directory.resolve("pid")) && !Files.exists(directory.resolve("exit"))) {
            if (!process.isAlive() && !Files.exists(directory.resolve("pid"))) {
                throw new IOException("the shim of " + id + " ended at once: " + readOr(directory.resolve("shim.log"),
                        ""));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("the shim of " + id + " did not start the command within " + START_TIMEOUT);
            }
            sleep(POLL);
        }
        return status(sandbox.podUid(), key, directory);
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) throws IOException {
        Path directory = directoryOf(containerId);
        ContainerStatus status = status(podUidOf(containerId), keyOf(containerId), directory);
        if (!status.running()) {
            return;
        }
        signal(status.pid(), "TERM");
        Instant deadline = Instant.now().plus(gracePeriod);
        while (!Files.exists(directory.resolve("exit")) && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(20));
        }
        Instant killDeadline = Instant.now().plus(START_TIMEOUT);
        while (status(podUidOf(containerId), keyOf(containerId), directory).running()) {
            signal(status.pid(), "KILL");
            if (Instant.now().isAfter(killDeadline)) {
                throw new IOException("container " + containerId + " (pid " + status.pid() + ") did not end after "
                        + "SIGKILL");
            }
            sleep(Duration.ofMillis(20));
        }
    }

    @Override
    public void removeContainer(String containerId) throws IOException {
        FileTrees.delete(directoryOf(containerId));
    }

    @Override
    public SandboxStatus sandbox(String podUid) throws IOException {
        return Files.exists(pods.resolve(podUid).resolve("sandbox.properties")) ? read(podUid) : null;
    }

    @Override
    public ContainerStatus container(String containerId) throws IOException {
        int slash = containerId.indexOf('/');
        SandboxStatus sandbox = slash < 0 ? null : sandbox(containerId.substring(0, slash));
        return sandbox == null ? null : sandbox.containers().stream().filter(c -> c.id().equals(containerId))
                .findFirst().orElse(null);
    }

    @Override
    public List<SandboxStatus> sandboxes() throws IOException {
        List<SandboxStatus> result = new ArrayList<>();
        try (Stream<Path> entries = Files.list(pods)) {
            for (Path directory : entries.toList()) {
                if (Files.exists(directory.resolve("sandbox.properties"))) {
                    result.add(read(directory.getFileName().toString()));
                }
            }
        }
        return result;
    }

    @Override
    public ContainerUsage usage(String containerId) {
        return cgroups == null ? null : cgroups.usage(podUidOf(containerId), keyOf(containerId));
    }

    @Override
    public Path logPath(String containerId) {
        return directoryOf(containerId).resolve("log");
    }

    @Override
    public Execution exec(String containerId, List<String> command, boolean tty, boolean stdin) throws IOException {
        return ProcessExecution.start(commandIn(containerId, command, tty), command, stdin);
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws IOException {
        return ProcessExecution.runToEnd(commandIn(containerId, command, false), timeout);
    }

    /** The command in the container's namespaces (when isolated) with its environment. */
    private ProcessBuilder commandIn(String containerId, List<String> command, boolean tty) throws IOException {
        ContainerStatus status = status(podUidOf(containerId), keyOf(containerId), directoryOf(containerId));
        if (!status.running()) {
            throw new IOException("container " + containerId + " is not running");
        }
        List<String> full = new ArrayList<>();
        if (isolated) {
            full.addAll(List.of("nsenter", "--target", Long.toString(status.pid()), "--mount", "--net", "--uts",
                    "--wd"));
        }
        // script(1) comes from the node's file system, which is the container's too here.
        full.addAll(tty ? Terminal.underScript(command) : command);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().clear();
        builder.environment().putAll(environmentOf(status.pid()));
        return builder;
    }

    /** Connects to the container's shim, which keeps its stdin and relays its output (see qube-shim.c). */
    @Override
    public Attachment attach(String containerId) throws IOException {
        Path directory = directoryOf(containerId);
        if (!status(podUidOf(containerId), keyOf(containerId), directory).running()) {
            throw new IOException("container " + containerId + " is not running");
        }
        return ShimAttachment.connect(directory.resolve("attach"));
    }

    @Override
    public void close() {
        // Containers run on without the agent; their shims keep their state.
    }

    private SandboxStatus read(String podUid) throws IOException {
        Path directory = pods.resolve(podUid);
        Properties properties = new Properties();
        try (var in = Files.newInputStream(directory.resolve("sandbox.properties"))) {
            properties.load(in);
        }
        String network = properties.getProperty("network");
        Sandbox sandbox = new Sandbox(podUid, properties.getProperty("ip"), directory,
                network == null ? null : Path.of(network));
        return new SandboxStatus(sandbox, properties.getProperty("namespace"), properties.getProperty("name"),
                containers(podUid));
    }

    private List<ContainerStatus> containers(String podUid) throws IOException {
        Path containers = pods.resolve(podUid).resolve("containers");
        if (!Files.isDirectory(containers)) {
            return List.of();
        }
        List<ContainerStatus> result = new ArrayList<>();
        try (Stream<Path> entries = Files.list(containers)) {
            for (Path directory : entries.sorted().toList()) {
                if (Files.exists(directory.resolve("pid")) || Files.exists(directory.resolve("exit"))) {
                    result.add(status(podUid, directory.getFileName().toString(), directory));
                }
            }
        }
        return result;
    }

    private ContainerStatus status(String podUid, String key, Path directory) throws IOException {
        int separator = key.lastIndexOf('_');
        String name = key.substring(0, separator);
        int attempt = Integer.parseInt(key.substring(separator + 1));
        String id = containerId(podUid, key);
        String[] pid = readOr(directory.resolve("pid"), "0 0").split(" ");
        long processId = Long.parseLong(pid[0]);
        Instant startedAt = Files.exists(directory.resolve("pid"))
                ? Files.getLastModifiedTime(directory.resolve("pid")).toInstant() : Instant.now();
        String exit = readOr(directory.resolve("exit"), null);
        if (exit != null) {
            String[] fields = exit.split(" ");
            int code = Integer.parseInt(fields[0]);
            int signal = Integer.parseInt(fields[1]);
            String startError = readOr(directory.resolve("start-error"), null);
            if (startError != null) {
                // As containerd reports a command that cannot be executed: StartError, exit code 128.
                return new ContainerStatus(id, name, attempt, false, processId, startedAt, Instant.parse(fields[2]),
                        128, "StartError", startError, null);
            }
            String reason = code == 0 ? "Completed"
                    : signal == 9 && cgroups != null && cgroups.oomKilled(podUid, key) ? "OOMKilled" : "Error";
            String message = null;
            return new ContainerStatus(id, name, attempt, false, processId, startedAt, Instant.parse(fields[2]), code,
                    reason, message, null);
        }
        // Between the command's end and the shim's record of it, the shim still runs: the exit is on its way.
        if (alive(processId, pid.length > 1 ? pid[1] : "0") || shimAlive(directory)) {
            return new ContainerStatus(id, name, attempt, true, processId, startedAt, null, 0, null, null, null);
        }
        // The process is gone and no exit was written: the shim itself was killed.
        return new ContainerStatus(id, name, attempt, false, processId, startedAt, Instant.now(), 137, "Error",
                "the container's shim ended before it could record the exit", null);
    }

    private static boolean alive(long pid, String startTime) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Field 22 of stat is the 20th after the command name; a zombie (state Z) has ended.
            return fields[19].equals(startTime) && !fields[0].equals("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the shim of this container directory still runs (its command line names the directory). */
    private static boolean shimAlive(Path directory) {
        String shim = readOr(directory.resolve("shim"), null);
        if (shim == null) {
            return false;
        }
        try {
            String commandLine = Files.readString(Path.of("/proc", shim, "cmdline")).replace('\0', ' ');
            return commandLine.contains(" " + directory + " ");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Map<String, String> environmentOf(long pid) {
        try {
            String[] entries = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0");
            Map<String, String> env = new java.util.LinkedHashMap<>();
            for (String entry : entries) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    env.put(entry.substring(0, equals), entry.substring(equals + 1));
                }
            }
            return env;
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            Commands.run("kill", "-" + signal, "--", "-" + pid);
        } catch (IOException gone) {
            LOG.debugf("kill -%s -%d: %s", signal, pid, gone.getMessage());
        }
    }

    private static String containerId(String podUid, String key) {
        return podUid + "/" + key;
    }

    private Path directoryOf(String containerId) {
        return pods.resolve(podUidOf(containerId)).resolve("containers").resolve(keyOf(containerId));
    }

    private static String podUidOf(String containerId) {
        return containerId.substring(0, containerId.indexOf('/'));
    }

    private static String keyOf(String containerId) {
        return containerId.substring(containerId.indexOf('/') + 1);
    }

    private static String readOr(Path file, String absent) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return absent;
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
