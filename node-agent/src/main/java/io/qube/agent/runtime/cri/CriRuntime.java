package io.qube.agent.runtime.cri;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.agent.FileTrees;
import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.ExecResult;
import io.qube.agent.runtime.Execution;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.DnsSettings;
import io.qube.agent.runtime.ProcessNamespace;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.SandboxStatus;
import io.qube.agent.runtime.cri.v1.Cri;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Pods as CRI sandboxes, containers as CRI containers, the way the kubelet's kuberuntime manager uses them: one
 * sandbox per pod (its network namespace, set up by CNI), containers named by metadata (name, attempt) and
 * labelled with the pod's identity, so a restarted agent finds every pod's sandbox and containers in the
 * runtime alone. The pod's directory (volumes) and its container logs are the agent's, under its state.
 */
public final class CriRuntime implements ContainerRuntime {

    private static final Logger LOG = Logger.getLogger(CriRuntime.class);
    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";
    private static final String RESTART_COUNT = "io.kubernetes.container.restartCount";
    /** The container's stdin and tty settings, which CRI's Attach must repeat and its status does not give. */
    private static final String STDIN = "qube.io/stdin";
    private static final String TTY = "qube.io/tty";
    /** The sandbox's config as asked for, kept on it: CreateContainer is given the same config again. */
    private static final String HOST_NETWORK = "qube.io/host-network";
    private static final String HOSTNAME = "qube.io/hostname";
    private static final String PRIVILEGED = "qube.io/privileged";
    private static final String PROCESSES = "qube.io/process-namespace";
    private static final String HOST_IPC = "qube.io/host-ipc";
    /** The resolv.conf's lines, each space-separated; absent: the runtime's default (the node's resolv.conf). */
    private static final String DNS_SERVERS = "qube.io/dns-servers";
    private static final String DNS_SEARCHES = "qube.io/dns-searches";
    private static final String DNS_OPTIONS = "qube.io/dns-options";
    /** The kernel's CFS period the kubelet uses; a cpu limit is a quota of it. */
    private static final long CPU_PERIOD_MICROS = 100_000;
    /** containerd's wording of an ExecSync that outlived its timeout. */
    private static final Pattern RUNTIME_TIMEOUT = Pattern.compile(
            "\\btimeout \\d[^ ]* exceeded\\b");
    /** How long past an ExecSync's own timeout the call may take before the agent stops waiting for the runtime. */
    private static final Duration EXEC_SYNC_MARGIN = Duration.ofSeconds(5);
    private static final Comparator<Cri.PodSandbox> NEWEST_FIRST =
            Comparator.comparingLong(Cri.PodSandbox::getCreatedAt).reversed();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CriClient client;
    private final Containerd containerd;
    private final Path pods;
    private final Path logs;
    private final String version;
    private final CriImages images;
    /** The CNI bridge of the agent's own network config; null with a runtime configured by others. */
    private final String bridge;
    private final ContainerStatuses statuses = new ContainerStatuses();
    /** Each sandbox's address by sandbox id ("" in the node's network): it keeps it for its life. */
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    /**
     * The ready sandbox runSandbox last found or made, by pod uid: the pod worker starts containers right after
     * it, and CreateContainer needs its id and config without listing the sandboxes again.
     */
    private final Map<String, ReadySandbox> ready = new ConcurrentHashMap<>();

    private record ReadySandbox(String id, Cri.PodSandboxConfig config) {
    }

    private CriRuntime(CriClient client, Containerd containerd, String bridge, Path state, String version)
            throws IOException {
        this.client = client;
        this.containerd = containerd;
        this.bridge = bridge;
        this.pods = Files.createDirectories(state.resolve("pods"));
        this.logs = Files.createDirectories(state.resolve("logs"));
        this.version = version;
        this.images = new CriImages(client);
    }

    /**
     * Connects to the runtime at {@code endpoint}, or (null) starts the agent's own containerd under
     * {@code state/containerd} with the node's pod network from {@code podCidr} on {@code bridge} and the
     * registries of {@code registryConfig} (null: none).
     */
    public static CriRuntime start(Path state, Path endpoint, String sandboxImage, String bridge, String podCidr,
                                   Path registryConfig) throws IOException {
        Containerd containerd = null;
        Path socket = endpoint;
        if (socket == null) {
            Path directory = state.resolve("containerd");
            Path cniConf = directory.resolve("cni");
            if (podCidr != null) {
                CniConfig.write(cniConf, bridge, podCidr, directory.resolve("cni-ipam"));
            }
            RegistryConfig registries = registryConfig == null ? RegistryConfig.NONE
                    : RegistryConfig.read(registryConfig);
            Path hosts = directory.resolve("certs.d");
            registries.writeHosts(hosts);
            containerd = Containerd.startOrAdopt(directory, new Containerd.Settings(sandboxImage,
                    CniConfig.pluginDir(), cniConf, hosts, registries));
            socket = containerd.socket();
        }
        CriClient client = new CriClient(socket);
        try {
            Cri.VersionResponse answer = client.version(Duration.ofSeconds(10));
            String version = answer.getRuntimeName() + "://" + answer.getRuntimeVersion();
            return new CriRuntime(client, containerd, containerd == null ? null : bridge, state, version);
        } catch (IOException e) {
            client.close();
            if (containerd != null) {
                containerd.close();
            }
            throw new IOException("the container runtime at " + socket + " does not answer CRI v1: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String version() {
        return version;
    }

    /** Writes the CNI config for the range (the agent's own containerd only: another runtime has its own). */
    @Override
    public void usePodCidr(String podCidr) throws IOException {
        if (containerd != null) {
            Path directory = containerd.socket().getParent();
            CniConfig.write(directory.resolve("cni"), bridge, podCidr, directory.resolve("cni-ipam"));
        }
    }

    @Override
    public Optional<ImageManager> images() {
        return Optional.of(images);
    }

    @Override
    public Sandbox runSandbox(SandboxConfig config) throws IOException {
        List<Cri.PodSandbox> existing = sandboxesOf(config.podUid());
        Optional<Cri.PodSandbox> running = newestReady(existing);
        if (running.isPresent()) {
            Cri.PodSandbox found = running.get();
            ReadySandbox known = ready.get(config.podUid());
            if (known == null || !known.id().equals(found.getId())) {
                ready.put(config.podUid(), new ReadySandbox(found.getId(), configOf(found)));
            }
            return sandbox(found.getId(), config.podUid());
        }
        // A sandbox that is no longer ready (its network or pause process is gone) is replaced, as the kubelet
        // does; the containers in it go with it.
        for (Cri.PodSandbox stale : existing) {
            removeOne(stale.getId());
        }
        Path directory = Files.createDirectories(pods.resolve(config.podUid()));
        Cri.PodSandboxConfig sandboxConfig = sandboxConfig(config, existing.size());
        Files.createDirectories(Path.of(sandboxConfig.getLogDirectory()));
        String id = client.runtime(stub -> stub.runPodSandbox(Cri.RunPodSandboxRequest.newBuilder()
                .setConfig(sandboxConfig).build())).getPodSandboxId();
        LOG.debugf("sandbox %s for pod %s/%s in %s", id, config.namespace(), config.name(), directory);
        ready.put(config.podUid(), new ReadySandbox(id, sandboxConfig));
        return sandbox(id, config.podUid());
    }

    /** The config a sandbox was made with, from what it keeps of it (a sandbox an earlier agent made). */
    private Cri.PodSandboxConfig configOf(Cri.PodSandbox sandbox) {
        Map<String, String> asked = sandbox.getAnnotationsMap();
        return sandboxConfig(new SandboxConfig(sandbox.getMetadata().getUid(), sandbox.getMetadata().getNamespace(),
                sandbox.getMetadata().getName(), Boolean.parseBoolean(asked.get(HOST_NETWORK)),
                asked.getOrDefault(HOSTNAME, sandbox.getMetadata().getName()),
                Boolean.parseBoolean(asked.get(PRIVILEGED)), dnsOf(asked),
                ProcessNamespace.valueOf(asked.getOrDefault(PROCESSES, ProcessNamespace.CONTAINER.name())),
                Boolean.parseBoolean(asked.get(HOST_IPC))), (int) sandbox.getMetadata().getAttempt());
    }

    private Cri.PodSandboxConfig sandboxConfig(SandboxConfig config, int attempt) {
        Cri.NamespaceMode network = config.hostNetwork() ? Cri.NamespaceMode.NODE : Cri.NamespaceMode.POD;
        return Cri.PodSandboxConfig.newBuilder()
                .setMetadata(Cri.PodSandboxMetadata.newBuilder().setName(config.name()).setUid(config.podUid())
                        .setNamespace(config.namespace()).setAttempt(attempt))
                // In the node's network the pod has the node's UTS namespace too: no host name of its own.
                .setHostname(config.hostNetwork() ? "" : config.hostname())
                .setLogDirectory(logs.resolve(config.namespace() + "_" + config.name() + "_" + config.podUid())
                        .toString())
                .putLabels(POD_UID, config.podUid()).putLabels(POD_NAME, config.name())
                .putLabels(POD_NAMESPACE, config.namespace())
                .putAnnotations(HOST_NETWORK, Boolean.toString(config.hostNetwork()))
                .putAnnotations(HOSTNAME, config.hostname())
                .putAnnotations(PRIVILEGED, Boolean.toString(config.privileged()))
                .putAnnotations(PROCESSES, config.processes().name())
                .putAnnotations(HOST_IPC, Boolean.toString(config.hostIpc()))
                .putAllAnnotations(dnsAnnotations(config.dns()))
                .setDnsConfig(config.dns() == null ? Cri.DNSConfig.getDefaultInstance() : Cri.DNSConfig.newBuilder()
                        .addAllServers(config.dns().servers()).addAllSearches(config.dns().searches())
                        .addAllOptions(config.dns().options()).build())
                .setLinux(Cri.LinuxPodSandboxConfig.newBuilder().setSecurityContext(
                        Cri.LinuxSandboxSecurityContext.newBuilder().setPrivileged(config.privileged())
                                .setNamespaceOptions(Cri.NamespaceOption.newBuilder().setNetwork(network)
                                        .setPid(pidMode(config.processes()))
                                        .setIpc(config.hostIpc() ? Cri.NamespaceMode.NODE : Cri.NamespaceMode.POD))))
                .build();
    }

    private static Cri.NamespaceMode pidMode(ProcessNamespace processes) {
        return switch (processes) {
            case CONTAINER -> Cri.NamespaceMode.CONTAINER;
            case POD -> Cri.NamespaceMode.POD;
            case NODE -> Cri.NamespaceMode.NODE;
        };
    }

    private static Map<String, String> dnsAnnotations(DnsSettings dns) {
        return dns == null ? Map.of() : Map.of(DNS_SERVERS, String.join(" ", dns.servers()),
                DNS_SEARCHES, String.join(" ", dns.searches()), DNS_OPTIONS, String.join(" ", dns.options()));
    }

    private static DnsSettings dnsOf(Map<String, String> annotations) {
        return annotations.containsKey(DNS_SERVERS) ? new DnsSettings(words(annotations.get(DNS_SERVERS)),
                words(annotations.get(DNS_SEARCHES)), words(annotations.get(DNS_OPTIONS))) : null;
    }

    private static List<String> words(String line) {
        return line == null || line.isBlank() ? List.of() : List.of(line.trim().split(" "));
    }


    /** The ready sandbox with its address (asked of the runtime once per sandbox). */
    private Sandbox sandbox(String sandboxId, String podUid) throws IOException {
        String ip = addresses.get(sandboxId);
        if (ip == null) {
            Cri.PodSandboxStatus status = client.runtime(stub -> stub.podSandboxStatus(
                    Cri.PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build())).getStatus();
            ip = status.hasNetwork() ? status.getNetwork().getIp() : "";
            addresses.put(sandboxId, ip);
        }
        return new Sandbox(podUid, ip.isEmpty() ? null : ip, pods.resolve(podUid), null);
    }

    /**
     * The ready sandbox's network namespace, as its pause process holds it ({@code /proc/<pid>/ns/net}; the pid
     * from the runtime's verbose status, which containerd fills in); null in the node's network or with no ready
     * sandbox.
     */
    @Override
    public Path network(String podUid) throws IOException {
        Cri.PodSandbox ready = newestReady(sandboxesOf(podUid)).orElse(null);
        if (ready == null || Boolean.parseBoolean(ready.getAnnotationsMap().get(HOST_NETWORK))) {
            return null;
        }
        String info = client.runtime(stub -> stub.podSandboxStatus(Cri.PodSandboxStatusRequest.newBuilder()
                .setPodSandboxId(ready.getId()).setVerbose(true).build())).getInfoMap().get("info");
        long pid = info == null ? 0 : JSON.readTree(info).path("pid").asLong();
        if (pid <= 0) {
            throw new IOException("the runtime does not tell which process holds sandbox " + ready.getId()
                    + "'s network namespace");
        }
        return Path.of("/proc", Long.toString(pid), "ns", "net");
    }

    /** The pod's sandbox in use: the newest ready one of {@link #sandboxesOf}. */
    private static Optional<Cri.PodSandbox> newestReady(List<Cri.PodSandbox> sandboxes) {
        return sandboxes.stream().filter(s -> s.getState() == Cri.PodSandboxState.SANDBOX_READY).findFirst();
    }

    /** The pod's sandboxes, newest first. */
    private List<Cri.PodSandbox> sandboxesOf(String podUid) throws IOException {
        return client.runtime(stub -> stub.listPodSandbox(Cri.ListPodSandboxRequest.newBuilder()
                .setFilter(Cri.PodSandboxFilter.newBuilder().putLabelSelector(POD_UID, podUid)).build()))
                .getItemsList().stream().sorted(NEWEST_FIRST).toList();
    }

    @Override
    public void removeSandbox(String podUid) throws IOException {
        for (Cri.PodSandbox sandbox : sandboxesOf(podUid)) {
            removeOne(sandbox.getId());
        }
        ready.remove(podUid);
        statuses.forgetPod(podUid);
        FileTrees.delete(pods.resolve(podUid));
        try (var entries = Files.list(logs)) {
            for (Path directory : entries.filter(d -> d.getFileName().toString().endsWith("_" + podUid)).toList()) {
                FileTrees.delete(directory);
            }
        }
    }

    /** Stops (containers with it, at once: their grace was the pod worker's) and removes one sandbox. */
    private void removeOne(String sandboxId) throws IOException {
        try {
            client.runtime(stub -> stub.stopPodSandbox(Cri.StopPodSandboxRequest.newBuilder()
                    .setPodSandboxId(sandboxId).build()));
            client.runtime(stub -> stub.removePodSandbox(Cri.RemovePodSandboxRequest.newBuilder()
                    .setPodSandboxId(sandboxId).build()));
        } catch (CriClient.CriException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
        addresses.remove(sandboxId);
        ready.values().removeIf(sandbox -> sandbox.id().equals(sandboxId));
    }

    @Override
    public ContainerStatus startContainer(Sandbox sandbox, ContainerConfig config) throws IOException {
        ReadySandbox owner = ready.get(sandbox.podUid());
        if (owner == null) {
            throw new IOException("pod " + sandbox.podUid() + " has no ready sandbox");
        }
        Cri.PodSandboxConfig sandboxConfig = owner.config();
        Cri.ContainerConfig request = containerConfig(sandboxConfig.getMetadata(), config,
                sandboxConfig.getLinux().getSecurityContext().getNamespaceOptions());
        String id = createContainer(owner, request);
        Path log = Path.of(sandboxConfig.getLogDirectory()).resolve(request.getLogPath());
        Files.createDirectories(log.getParent());
        try {
            client.runtime(stub -> stub.startContainer(Cri.StartContainerRequest.newBuilder().setContainerId(id)
                    .build()));
        } catch (CriClient.CriException e) {
            // The runtime keeps the container as exited with its reason (e.g. StartError): the status says it.
            LOG.debugf("start of container %s failed: %s", id, e.getMessage());
        }
        return container(id);
    }

    private String createContainer(ReadySandbox owner, Cri.ContainerConfig request) throws IOException {
        Cri.CreateContainerRequest create = Cri.CreateContainerRequest.newBuilder().setPodSandboxId(owner.id())
                .setConfig(request).setSandboxConfig(owner.config()).build();
        try {
            return client.runtime(stub -> stub.createContainer(create)).getContainerId();
        } catch (CriClient.CriException e) {
            // A container created but never started (the agent ended in between) holds its name: remove it, again.
            Cri.ContainerMetadata name = request.getMetadata();
            Optional<Cri.Container> left = containersOf(owner.id()).stream()
                    .filter(c -> c.getMetadata().getName().equals(name.getName())
                            && c.getMetadata().getAttempt() == name.getAttempt()).findFirst();
            if (left.isEmpty()) {
                throw e;
            }
            removeContainer(left.get().getId());
            return client.runtime(stub -> stub.createContainer(create)).getContainerId();
        }
    }

    private static Cri.ContainerConfig containerConfig(Cri.PodSandboxMetadata owner, ContainerConfig config,
                                                      Cri.NamespaceOption sandbox) {
        Cri.ContainerConfig.Builder builder = Cri.ContainerConfig.newBuilder()
                .setMetadata(Cri.ContainerMetadata.newBuilder().setName(config.name()).setAttempt(config.attempt()))
                .setImage(Cri.ImageSpec.newBuilder().setImage(config.image()))
                .addAllCommand(config.command()).addAllArgs(config.args())
                .putLabels(POD_UID, owner.getUid()).putLabels(POD_NAME, owner.getName())
                .putLabels(POD_NAMESPACE, owner.getNamespace()).putLabels(CONTAINER_NAME, config.name())
                .putAnnotations(RESTART_COUNT, Integer.toString(config.attempt()))
                .putAnnotations(STDIN, Boolean.toString(config.streams().stdin()))
                .putAnnotations(TTY, Boolean.toString(config.streams().tty()))
                .setLogPath(config.name() + "/" + config.attempt() + ".log");
        if (config.workingDir() != null && !config.workingDir().isEmpty()) {
            builder.setWorkingDir(config.workingDir());
        }
        config.env().forEach((key, value) -> builder.addEnvs(Cri.KeyValue.newBuilder().setKey(key).setValue(value)));
        for (ContainerConfig.Mount mount : config.mounts()) {
            builder.addMounts(Cri.Mount.newBuilder().setHostPath(mount.hostPath())
                    .setContainerPath(mount.containerPath()).setReadonly(mount.readOnly())
                    .setPropagation(switch (mount.propagation()) {
                        case PRIVATE -> Cri.MountPropagation.PROPAGATION_PRIVATE;
                        case HOST_TO_CONTAINER -> Cri.MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
                        case BIDIRECTIONAL -> Cri.MountPropagation.PROPAGATION_BIDIRECTIONAL;
                    }));
        }
        // As the kubelet: the sandbox's namespaces (PID: the container's own unless shareProcessNamespace or
        // hostPID; IPC the pod's or the node's; network the pod's or the node's). An ephemeral container with a
        // target joins its target's PID namespace (CRI's TARGET mode).
        Cri.NamespaceOption.Builder namespaces = Cri.NamespaceOption.newBuilder().setPid(sandbox.getPid())
                .setIpc(sandbox.getIpc()).setNetwork(sandbox.getNetwork());
        if (config.pidTarget() != null) {
            namespaces.setPid(Cri.NamespaceMode.TARGET).setTargetId(config.pidTarget());
        }
        builder.setStdin(config.streams().stdin()).setStdinOnce(config.streams().stdinOnce())
                .setTty(config.streams().tty());
        builder.setLinux(Cri.LinuxContainerConfig.newBuilder().setResources(resources(config.resources()))
                .setSecurityContext(security(config.security()).toBuilder().setNamespaceOptions(namespaces)));
        return builder.build();
    }

    static Cri.LinuxContainerSecurityContext security(ContainerConfig.Security security) {
        Cri.LinuxContainerSecurityContext.Builder builder = Cri.LinuxContainerSecurityContext.newBuilder()
                .setPrivileged(security.privileged()).setReadonlyRootfs(security.readOnlyRootFs())
                .setNoNewPrivs(security.noNewPrivileges()).addAllSupplementalGroups(security.supplementalGroups())
                .setCapabilities(Cri.Capability.newBuilder().addAllAddCapabilities(security.addCapabilities())
                        .addAllDropCapabilities(security.dropCapabilities()));
        if (security.runAsUser() != null) {
            builder.setRunAsUser(Cri.Int64Value.newBuilder().setValue(security.runAsUser()));
        }
        if (security.runAsGroup() != null) {
            builder.setRunAsGroup(Cri.Int64Value.newBuilder().setValue(security.runAsGroup()));
        }
        return builder.build();
    }

    /** The kubelet's mapping: shares from the cpu request, a CFS quota from the limit, the memory limit. */
    static Cri.LinuxContainerResources resources(ContainerConfig.Resources resources) {
        Cri.LinuxContainerResources.Builder builder = Cri.LinuxContainerResources.newBuilder();
        long requestMillis = resources.cpuRequestMillis() > 0 ? resources.cpuRequestMillis()
                : resources.cpuLimitMillis();
        // Kubernetes' MinShares is 2 (a BestEffort container), 1024 shares a core.
        builder.setCpuShares(requestMillis == 0 ? 2 : Math.max(2, requestMillis * 1024 / 1000));
        if (resources.cpuLimitMillis() > 0) {
            builder.setCpuPeriod(CPU_PERIOD_MICROS)
                    .setCpuQuota(Math.max(1000, resources.cpuLimitMillis() * CPU_PERIOD_MICROS / 1000));
        }
        if (resources.memoryLimitBytes() > 0) {
            builder.setMemoryLimitInBytes(resources.memoryLimitBytes());
        }
        return builder.build();
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) throws IOException {
        long seconds = Math.max(0, (gracePeriod.toMillis() + 999) / 1000);
        try {
            client.runtime(CriClient.DEFAULT_DEADLINE.plusSeconds(seconds), stub -> stub.stopContainer(
                    Cri.StopContainerRequest.newBuilder().setContainerId(containerId).setTimeout(seconds).build()));
        } catch (CriClient.CriException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    @Override
    public void removeContainer(String containerId) throws IOException {
        Path log = logPathOrNull(containerId);
        try {
            client.runtime(stub -> stub.removeContainer(Cri.RemoveContainerRequest.newBuilder()
                    .setContainerId(containerId).build()));
        } catch (CriClient.CriException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
        statuses.forget(containerId);
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    /** Two list calls, and ContainerStatus only for the containers whose state changed since it was read. */
    @Override
    public SandboxStatus sandbox(String podUid) throws IOException {
        List<Cri.PodSandbox> sandboxes = sandboxesOf(podUid);
        if (sandboxes.isEmpty()) {
            return null;
        }
        return statusOf(podUid, sandboxes, listContainers(Cri.ContainerFilter.newBuilder()
                .putLabelSelector(POD_UID, podUid).build()));
    }

    /** Every pod's in two list calls, not two per pod. */
    @Override
    public List<SandboxStatus> sandboxes() throws IOException {
        Map<String, List<Cri.PodSandbox>> sandboxes = client.runtime(stub -> stub.listPodSandbox(
                Cri.ListPodSandboxRequest.getDefaultInstance())).getItemsList().stream()
                .filter(s -> s.getLabelsMap().containsKey(POD_UID)).sorted(NEWEST_FIRST)
                .collect(Collectors.groupingBy(s -> s.getLabelsMap().get(POD_UID), LinkedHashMap::new,
                        Collectors.toList()));
        Map<String, List<Cri.Container>> containers = listContainers(Cri.ContainerFilter.getDefaultInstance())
                .stream().filter(c -> c.getLabelsMap().containsKey(POD_UID))
                .collect(Collectors.groupingBy(c -> c.getLabelsMap().get(POD_UID)));
        List<SandboxStatus> result = new ArrayList<>();
        for (Map.Entry<String, List<Cri.PodSandbox>> pod : sandboxes.entrySet()) {
            result.add(statusOf(pod.getKey(), pod.getValue(), containers.getOrDefault(pod.getKey(), List.of())));
        }
        return result;
    }

    /** @param sandboxes the pod's, newest first */
    private SandboxStatus statusOf(String podUid, List<Cri.PodSandbox> sandboxes, List<Cri.Container> listed)
            throws IOException {
        List<ContainerStatus> containers = new ArrayList<>();
        for (Cri.Container container : listed) {
            ContainerStatus status = statuses.current(container);
            if (status == null) {
                status = container(container.getId());
            }
            if (status != null) {
                containers.add(status);
            }
        }
        statuses.retain(podUid, listed.stream().map(Cri.Container::getId).collect(Collectors.toSet()));
        Cri.PodSandbox latest = sandboxes.get(0);
        Sandbox current = latest.getState() == Cri.PodSandboxState.SANDBOX_READY
                ? sandbox(latest.getId(), podUid) : new Sandbox(podUid, null, pods.resolve(podUid), null);
        return new SandboxStatus(current, latest.getMetadata().getNamespace(), latest.getMetadata().getName(),
                containers);
    }

    private List<Cri.Container> containersOf(String sandboxId) throws IOException {
        return listContainers(Cri.ContainerFilter.newBuilder().setPodSandboxId(sandboxId).build());
    }

    private List<Cri.Container> listContainers(Cri.ContainerFilter filter) throws IOException {
        return client.runtime(stub -> stub.listContainers(Cri.ListContainersRequest.newBuilder().setFilter(filter)
                .build())).getContainersList();
    }

    @Override
    public ContainerStatus container(String containerId) throws IOException {
        Cri.ContainerStatus status;
        try {
            status = client.runtime(stub -> stub.containerStatus(Cri.ContainerStatusRequest.newBuilder()
                    .setContainerId(containerId).build())).getStatus();
        } catch (CriClient.CriException e) {
            if (e.notFound()) {
                statuses.forget(containerId);
                return null;
            }
            throw e;
        }
        return statuses.keep(status);
    }

    @Override
    public ContainerUsage usage(String containerId) throws IOException {
        return usage(List.of(containerId)).get(containerId);
    }

    /**
     * One ListContainerStats for the round: filtered to the container when there is one, otherwise every running
     * container's, of which the asked ones are kept.
     */
    @Override
    public Map<String, ContainerUsage> usage(Collection<String> containerIds) throws IOException {
        Cri.ContainerStatsFilter.Builder filter = Cri.ContainerStatsFilter.newBuilder();
        if (containerIds.size() == 1) {
            filter.setId(containerIds.iterator().next());
        }
        List<Cri.ContainerStats> listed = client.runtime(stub -> stub.listContainerStats(
                Cri.ListContainerStatsRequest.newBuilder().setFilter(filter).build())).getStatsList();
        Set<String> wanted = Set.copyOf(containerIds);
        Map<String, ContainerUsage> usages = new HashMap<>();
        for (Cri.ContainerStats stats : listed) {
            String id = stats.getAttributes().getId();
            ContainerUsage usage = wanted.contains(id) ? CriUsage.of(stats) : null;
            if (usage != null) {
                usages.put(id, usage);
            }
        }
        return usages;
    }

    /**
     * The runtime's status as the pod workers read it. A container created but never started counts as ended
     * with the runtime's reason, so its pod restarts it rather than waiting for it.
     */
    static ContainerStatus statusOf(Cri.ContainerStatus status) {
        boolean running = status.getState() == Cri.ContainerState.CONTAINER_RUNNING;
        Instant started = status.getStartedAt() == 0 ? null : instant(status.getStartedAt());
        Instant finished = status.getFinishedAt() == 0 ? null : instant(status.getFinishedAt());
        int exitCode = status.getExitCode();
        String reason = status.getReason().isEmpty() ? null : status.getReason();
        if (status.getState() == Cri.ContainerState.CONTAINER_CREATED
                || status.getState() == Cri.ContainerState.CONTAINER_UNKNOWN) {
            exitCode = exitCode == 0 ? 128 : exitCode;
            reason = reason == null ? "ContainerCannotRun" : reason;
            finished = finished == null ? instant(status.getCreatedAt()) : finished;
        } else if (!running && reason == null) {
            reason = exitCode == 0 ? "Completed" : "Error";
        }
        return new ContainerStatus(status.getId(), status.getMetadata().getName(),
                (int) status.getMetadata().getAttempt(), running, 0, started, finished, exitCode,
                running ? null : reason, status.getMessage().isEmpty() ? null : status.getMessage(),
                status.getImageRef().isEmpty() ? null : status.getImageRef());
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    @Override
    public Path logPath(String containerId) {
        try {
            Path log = logPathOrNull(containerId);
            return log != null ? log : logs.resolve("gone").resolve(containerId);
        } catch (IOException e) {
            return logs.resolve("gone").resolve(containerId); // an ended stream: nothing to read
        }
    }

    /** The container's CRI log file, or null when the runtime no longer has the container. */
    private Path logPathOrNull(String containerId) throws IOException {
        try {
            return Path.of(client.runtime(stub -> stub.containerStatus(Cri.ContainerStatusRequest.newBuilder()
                    .setContainerId(containerId).build())).getStatus().getLogPath());
        } catch (CriClient.CriException e) {
            if (e.notFound()) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Starts the command through the runtime's streaming server, as the kubelet does: CRI's Exec gives its URL,
     * which speaks the channel protocol ({@link CriStream}).
     */
    @Override
    public Execution exec(String containerId, List<String> command, boolean tty, boolean stdin) throws IOException {
        runningStatus(containerId);
        String url = client.runtime(stub -> stub.exec(Cri.ExecRequest.newBuilder().setContainerId(containerId)
                .addAllCmd(command).setTty(tty).setStdin(stdin).setStdout(true).setStderr(!tty).build())).getUrl();
        return CriStream.connect(url);
    }

    /**
     * CRI's ExecSync with the timeout (in whole seconds, at least one, as the kubelet rounds a probe's). The command
     * timed out when the call's deadline passed, or when the runtime says so: containerd answers its own timeout
     * with an error "timeout 1s exceeded" (gRPC code Unknown; later versions add the context's error).
     */
    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws IOException {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        try {
            Cri.ExecSyncResponse response = client.runtime(Duration.ofSeconds(seconds).plus(EXEC_SYNC_MARGIN),
                    stub -> stub.execSync(Cri.ExecSyncRequest.newBuilder().setContainerId(containerId)
                            .addAllCmd(command).setTimeout(seconds).build()));
            return new ExecResult(response.getExitCode(), response.getStdout().toStringUtf8()
                    + response.getStderr().toStringUtf8(), false);
        } catch (CriClient.CriException e) {
            if (e.code() == io.grpc.Status.Code.DEADLINE_EXCEEDED || RUNTIME_TIMEOUT.matcher(e.getMessage()).find()) {
                return new ExecResult(-1, "", true);
            }
            throw e;
        }
    }

    /** The container's CRI status; fails when it is not running (exec and attach need a running one). */
    private Cri.ContainerStatus runningStatus(String containerId) throws IOException {
        Cri.ContainerStatus status = client.runtime(stub -> stub.containerStatus(Cri.ContainerStatusRequest
                .newBuilder().setContainerId(containerId).build())).getStatus();
        if (status.getState() != Cri.ContainerState.CONTAINER_RUNNING) {
            throw new IOException("container " + containerId + " is not running");
        }
        return status;
    }

    /**
     * Attaches through the runtime's streaming server: CRI's Attach gives its URL, which speaks the channel
     * protocol ({@link CriStream}).
     */
    @Override
    public io.qube.agent.runtime.Attachment attach(String containerId) throws IOException {
        Cri.ContainerStatus status = runningStatus(containerId);
        boolean tty = "true".equals(status.getAnnotationsMap().get(TTY));
        boolean stdin = "true".equals(status.getAnnotationsMap().get(STDIN));
        String url = client.runtime(stub -> stub.attach(Cri.AttachRequest.newBuilder().setContainerId(containerId)
                .setStdin(stdin).setTty(tty).setStdout(true).setStderr(!tty).build())).getUrl();
        return CriStream.connect(url);
    }

    @Override
    public void close() {
        client.close();
        if (containerd != null) {
            containerd.close();
        }
    }

    /**
     * Stops and removes every sandbox the runtime has and the pod bridge CNI made, for a development cluster that
     * leaves nothing running once stopped.
     */
    public void removeEverything() throws IOException {
        for (SandboxStatus sandbox : sandboxes()) {
            removeSandbox(sandbox.sandbox().podUid());
        }
        if (bridge != null) {
            try {
                io.qube.agent.Commands.run(List.of("ip", "link", "del", bridge));
            } catch (IOException e) {
                LOG.debugf("pod bridge %s: %s", bridge, e.getMessage()); // none made, or gone already
            }
        }
    }
}
