package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.agent.StatusPatch;
import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.DnsSettings;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.ProcessNamespace;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.SandboxStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pod's worker, the kubelet's syncPod: each {@link #sync} compares the pod's spec with what runs and takes the
 * next steps (admit, sandbox, volumes, init containers in order, containers, restarts with back-off, kills the
 * probes ask for, graceful termination, the final delete), then writes the status if it changed. Syncs of one
 * pod never overlap ({@link PodWorkers} sees to it); everything here is idempotent, so a sync after an agent
 * restart takes over where the last one stopped.
 */
final class PodWorker {

    private static final Logger LOG = Logger.getLogger(PodWorker.class);
    /** What an image would put in the environment; the process runtime's containers start from it. */
    private static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/root");
    private static final long DEFAULT_GRACE_SECONDS = 30;
    /** The node's hosts file, which a host-network pod's containers see (with its hostAliases added). */
    private static final Path NODE_HOSTS = Path.of("/etc/hosts");
    /** The kubelet's back-off period before a pod whose sync failed is synced again. */
    static final Duration CREATE_RETRY = Duration.ofSeconds(10);

    private final String uid;
    private final NodeServices node;
    private final Runnable resync;
    /** Why a container is waiting, by name, when no run of it explains it (config errors, back-off). */
    private final Map<String, String[]> waiting = new ConcurrentHashMap<>();
    /**
     * Containers the runtime refused, by name, with when to try again: the kubelet syncs a pod whose sync failed
     * again after its back-off period (10 s), not at every relist (each attempt is a runtime call and, when the
     * runtime's message names the attempt, a new event).
     */
    private final Map<String, Instant> createRetry = new ConcurrentHashMap<>();
    /** Containers whose probes asked for a restart, by container id, with the message. */
    private final Map<String, String> toKill = new ConcurrentHashMap<>();
    private volatile Pod pod;
    private PodStatus written;
    private boolean admitted;
    private boolean finalDeleteSent;
    /** The last sandbox failure reported, so a failing retry each relist records one event, not one a second. */
    private String sandboxFailure;
    /** Whether the warnings about the pod's resolv.conf were given. */
    private boolean dnsWarned;
    /** Set by the eviction manager: the next sync stops the pod and fails it with this message. */
    private volatile String eviction;
    /** Set while the pod's runs are being stopped with a grace period. */
    private volatile Stopping stopping;
    private boolean evicted;
    private final PodVolumes.Mounted mounted = new PodVolumes.Mounted();
    /** When this worker first saw the pod: its start duration counts from here, as the kubelet's does. */
    private final Instant firstSeen = Instant.now();
    /** Whether a sync ran yet, and whether the API changed the pod since the last one (the sync's type). */
    private volatile boolean synced;
    private volatile boolean updated;
    /** Whether this pod's sandbox start and its start to Running were counted (or, adopted, are not to be). */
    private boolean sandboxCounted;
    private boolean startCounted;
    /** The runs the current sync started, as the runtime answered their start; whether one was stopped again. */
    private final List<ContainerStatus> startedInSync = new ArrayList<>();
    private boolean stoppedInSync;

    PodWorker(String uid, NodeServices node, Runnable resync) {
        this.uid = uid;
        this.node = node;
        this.resync = resync;
    }

    String uid() {
        return uid;
    }

    Pod pod() {
        return pod;
    }

    void update(Pod latest) {
        this.pod = latest;
        updated = true;
        shortenGrace(latest);
    }

    private void shortenGrace(Pod latest) {
        Stopping now = stopping;
        if (now != null) {
            // A shorter grace period (kubectl delete --grace-period, or --force, which removes the pod at once)
            // cuts the one being waited out short, as the kubelet's pod workers do.
            Instant deadline = latest == null ? Instant.now()
                    : Instant.now().plus(gracePeriod(latest, latest.getMetadata().getDeletionGracePeriodSeconds()));
            if (deadline.isBefore(now.deadline())) {
                now.shorten(deadline);
            }
        }
    }

    void evict(String message) {
        eviction = message;
    }

    boolean evicting() {
        return eviction != null;
    }

    /** An agent restart: what ran before is the pod's own, admitted already. */
    void adopted() {
        admitted = true;
        sandboxCounted = true;
        startCounted = true;
    }

    /** The kubelet's name for the next sync: create (the first), kill, update (the API changed the pod) or sync. */
    String syncType() {
        Pod current = pod;
        if (current == null || current.getMetadata().getDeletionTimestamp() != null) {
            return "kill";
        }
        return !synced ? "create" : updated ? "update" : "sync";
    }

    boolean admitted() {
        return admitted;
    }

    /**
     * @param others the pods this node has admitted (for resource admission)
     * @return true once the pod is gone from the API and from the runtime: the worker can be forgotten
     */
    boolean sync(List<Pod> others) throws IOException {
        synced = true;
        updated = false;
        startedInSync.clear();
        stoppedInSync = false;
        Pod current = pod;
        if (current == null) {
            SandboxStatus sandbox = node.runtime().sandbox(uid);
            if (sandbox != null) {
                stopAll(sandbox, null, Duration.ZERO);
            }
            // Also when the sandbox is half removed already (a removal that failed): removal is idempotent.
            node.runtime().removeSandbox(uid);
            node.probes().stopPod(uid);
            node.backoff().forget(uid);
            if (node.pulls() != null) {
                node.pulls().forget(uid);
            }
            return true;
        }
        if (current.getMetadata().getDeletionTimestamp() != null) {
            terminate(current);
            return false;
        }
        if (eviction != null && !terminal(current.getStatus())) {
            // Until the API's copy says Failed, the pod is not started again nor evicted twice.
            if (!evicted) {
                evictNow(current);
                evicted = true;
            }
            return false;
        }
        if (terminal(current.getStatus())) {
            SandboxStatus sandbox = node.runtime().sandbox(uid);
            if (sandbox != null) {
                stopAll(sandbox, current, Duration.ZERO); // a terminal pod runs nothing; its logs stay
            }
            return false;
        }
        if (!admitted) {
            NodeAdmission.Refusal refusal = node.runtime().sandbox(uid) != null ? null
                    : NodeAdmission.check(current, others, node.allocatable(), node.pressure());
            if (refusal != null) {
                node.events().warning(current, null, refusal.reason(), refusal.message());
                PodStatus status = new PodStatus();
                status.setPhase("Failed");
                status.setReason(refusal.reason());
                status.setMessage(refusal.message());
                status.setQosClass(current.getStatus() == null ? null : current.getStatus().getQosClass());
                status.setStartTime(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                write(current, status);
                return false;
            }
            admitted = true;
        }
        boolean hostNetwork = Boolean.TRUE.equals(current.getSpec().getHostNetwork());
        Sandbox sandbox;
        try {
            boolean privileged = java.util.stream.Stream.concat(current.getSpec().getContainers().stream(),
                    current.getSpec().getInitContainers().stream()).anyMatch(c -> c.getSecurityContext() != null
                    && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()));
            sandbox = node.runtime().runSandbox(new SandboxConfig(uid, current.getMetadata().getNamespace(),
                    current.getMetadata().getName(), hostNetwork, HostsFile.hostname(current), privileged, dns(current),
                    ProcessNamespace.of(current.getSpec()), Boolean.TRUE.equals(current.getSpec().getHostIPC())));
        } catch (IOException e) {
            // The pod stays Pending with its containers ContainerCreating; the relist tries again.
            String message = "Failed to create pod sandbox: " + e.getMessage();
            if (!message.equals(sandboxFailure)) {
                node.events().warning(current, null, "FailedCreatePodSandBox", message);
                sandboxFailure = message;
            }
            return false;
        }
        sandboxFailure = null;
        if (!sandboxCounted) {
            sandboxCounted = true;
            node.metrics().sandboxStarted();
        }
        String podIp = sandbox.ip() != null ? sandbox.ip() : node.hostIp();
        DownwardValues downward = new DownwardValues(current, podIp, node.hostIp(), node.allocatable());
        Map<String, Path> volumes;
        try {
            volumes = node.volumes().setUp(current, sandbox.directory(), downward, mounted);
            if (node.pulls() != null) {
                // Containers of images get the kubelet's hosts file; the process runtime's see the node's.
                HostsFile.write(current, sandbox.directory(), podIp,
                        node.dns() == null ? null : node.dns().clusterDomain(), NODE_HOSTS);
            }
        } catch (MissingSource e) {
            node.events().warning(current, null, "FailedMount", e.getMessage());
            writeStatus(current, podIp);
            return false;
        }
        killRequested(current);
        List<ContainerStatus> runs = node.runtime().sandbox(uid).containers();
        boolean started = false;
        boolean initialized = true;
        for (Container container : current.getSpec().getInitContainers()) {
            ContainerStatus latest = latest(runs, container.getName());
            if (latest != null && !latest.running() && latest.exitCode() == 0) {
                continue;
            }
            initialized = false;
            if (latest == null || !latest.running()) {
                started = maybeStart(current, sandbox, podIp, container, true, latest, volumes, downward);
            }
            break;
        }
        if (initialized) {
            for (Container container : current.getSpec().getContainers()) {
                ContainerStatus latest = latest(runs, container.getName());
                if (latest == null || !latest.running()) {
                    started |= maybeStart(current, sandbox, podIp, container, false, latest, volumes, downward);
                } else {
                    // A run this worker did not start (an agent restart) is probed from now on.
                    node.probes().start(container, latest.id(), podIp, listener(current, container, latest.id()));
                }
            }
        }
        // Ephemeral containers start even before initialization is over (as the kubelet's), once each: never again.
        for (EphemeralContainer ephemeral : current.getSpec().getEphemeralContainers()) {
            if (latest(runs, ephemeral.getName()) == null) {
                ContainerStatus target = ephemeral.getTargetContainerName() == null ? null
                        : latest(runs, ephemeral.getTargetContainerName());
                started |= start(current, sandbox, podIp, EphemeralContainers.asContainer(ephemeral), Kind.EPHEMERAL,
                        0, volumes, downward, target != null && target.running() ? target.id() : null);
            }
        }
        // What the runtime has is what was read above plus the runs this sync started, as their start answered:
        // no second read (two runtime calls a new pod waited for), unless a run was stopped again since.
        write(current, started && stoppedInSync ? statusNow(current, podIp, true)
                : statusOf(current, withStarted(runs), podIp, true));
        return false;
    }

    /**
     * Starts the container unless its restart policy or its back-off says not now.
     *
     * @return whether it was started (or tried: the runtime has a run of it that the sync's read had not)
     */
    private boolean maybeStart(Pod pod, Sandbox sandbox, String podIp, Container container, boolean init,
                            ContainerStatus latest, Map<String, Path> volumes, DownwardValues downward)
            throws IOException {
        String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
        String key = uid + "/" + container.getName();
        int attempt = 0;
        if (latest != null) {
            boolean restart = policy.equals("Always") || policy.equals("OnFailure") && latest.exitCode() != 0
                    || init && !policy.equals("Never") && latest.exitCode() != 0;
            if (!restart) {
                return false;
            }
            Instant now = Instant.now();
            Duration left = node.backoff().remaining(key, latest.finishedAt(), now);
            if (!left.isZero()) {
                String message = "back-off " + node.backoff().delay(key).toSeconds() + "s restarting failed container="
                        + container.getName() + " pod=" + pod.getMetadata().getName() + "_"
                        + pod.getMetadata().getNamespace() + "(" + uid + ")";
                String[] before = waiting.put(container.getName(), new String[] {"CrashLoopBackOff", message});
                if (before == null || !before[0].equals("CrashLoopBackOff")) {
                    node.events().warning(pod, fieldPath(container, init), "BackOff", "Back-off restarting failed "
                            + "container " + container.getName() + " in pod " + pod.getMetadata().getName() + "_"
                            + pod.getMetadata().getNamespace() + "(" + uid + ")");
                }
                return false;
            }
            node.backoff().restarted(key, latest.finishedAt(), now);
            attempt = latest.attempt() + 1;
        }
        return start(pod, sandbox, podIp, container, init ? Kind.INIT : Kind.MAIN, attempt, volumes, downward, null);
    }

    /** @param pidTarget the run whose process namespace the container joins (an ephemeral one's target), or null */
    private boolean start(Pod pod, Sandbox sandbox, String podIp, Container container, Kind kind, int attempt,
                          Map<String, Path> volumes, DownwardValues downward, String pidTarget) throws IOException {
        Instant retry = createRetry.get(container.getName());
        if (retry != null && Instant.now().isBefore(retry)) {
            // Still waiting as CreateContainerError: nothing is built or asked of the runtime until the back-off ends.
            return false;
        }
        String field = kind.fieldPath(container);
        boolean hostCommands = node.pulls() == null;
        Map<String, String> env;
        try {
            // An image brings its own environment (PATH...); the process runtime's commands get a host's.
            Map<String, String> base = new LinkedHashMap<>(hostCommands ? BASE_ENV : Map.of());
            base.put("HOSTNAME", HostsFile.hostname(pod));
            env = ContainerEnv.of(pod, container, base, node.sources(), downward);
        } catch (MissingSource e) {
            waiting.put(container.getName(), new String[] {"CreateContainerConfigError", e.getMessage()});
            node.events().warning(pod, field, "Failed", "Error: " + e.getMessage());
            return false;
        }
        List<String> command = container.getCommand().stream().map(word -> Expansion.expand(word, env)).toList();
        List<String> args = container.getArgs().stream().map(word -> Expansion.expand(word, env)).toList();
        if (hostCommands && command.isEmpty() && args.isEmpty()) {
            String message = "the process runtime runs a command from the node's file system and container "
                    + container.getName() + " has none (image " + container.getImage() + " is not pulled here)";
            waiting.put(container.getName(), new String[] {"CreateContainerError", message});
            node.events().warning(pod, field, "Failed", "Error: " + message);
            return false;
        }
        List<ContainerConfig.Mount> mounts;
        try {
            mounts = mounts(pod, container, volumes, env);
            if (!hostCommands && mounts.stream().noneMatch(m -> m.containerPath().equals(HostsFile.CONTAINER_PATH))) {
                mounts.add(new ContainerConfig.Mount(HostsFile.path(sandbox.directory()).toString(),
                        HostsFile.CONTAINER_PATH, false, ContainerConfig.Propagation.PRIVATE));
            }
        } catch (IllegalArgumentException e) {
            waiting.put(container.getName(), new String[] {"CreateContainerConfigError", e.getMessage()});
            node.events().warning(pod, field, "Failed", "Error: " + e.getMessage());
            return false;
        }
        if (hostCommands) {
            node.events().normal(pod, field, "Pulled", "Container image \"" + container.getImage()
                    + "\" already present on machine");
        } else {
            ImagePulls.Outcome image = node.pulls().ensure(pod, container, field);
            if (!image.ready()) {
                waiting.put(container.getName(), new String[] {image.reason(), image.message()});
                return false; // the relist comes back to it
            }
        }
        ContainerConfig config = new ContainerConfig(container.getName(), attempt, HostsFile.hostname(pod),
                container.getImage(), command, args, container.getWorkingDir(), env, mounts,
                new ContainerConfig.Resources(request(container, "cpu"), limit(container, "cpu"),
                        limit(container, "memory")), SecurityContexts.of(pod, container),
                new ContainerConfig.Streams(Boolean.TRUE.equals(container.getStdin()),
                        Boolean.TRUE.equals(container.getStdinOnce()), Boolean.TRUE.equals(container.getTty())),
                pidTarget);
        ContainerStatus started;
        try {
            started = node.runtime().startContainer(sandbox, config);
        } catch (IOException e) {
            // As the kubelet: the container waits with the runtime's reason; a sync after the back-off tries again.
            createRetry.put(container.getName(), Instant.now().plus(CREATE_RETRY));
            String message = e.getMessage();
            String[] before = waiting.put(container.getName(), new String[] {"CreateContainerError", message});
            if (before == null || !"CreateContainerError".equals(before[0]) || !message.equals(before[1])) {
                node.events().warning(pod, field, "Failed", "Error: " + message);
            }
            return false;
        }
        createRetry.remove(container.getName());
        startedInSync.add(started);
        node.metrics().containerStarted(kind.metricLabel);
        waiting.remove(container.getName());
        node.events().normal(pod, field, "Created", "Created container: " + container.getName());
        node.events().normal(pod, field, "Started", "Started container " + container.getName());
        if (started.running() && kind == Kind.MAIN) {
            node.probes().start(container, started.id(), podIp, listener(pod, container, started.id()));
            LifecycleHandler postStart = container.getLifecycle() == null ? null
                    : container.getLifecycle().getPostStart();
            if (postStart != null) {
                ProbeCheck.Result result = ProbeCheck.run(node.runtime(), started.id(), container, podIp,
                        postStart.getExec(), postStart.getHttpGet(), postStart.getTcpSocket(), Duration.ofSeconds(30));
                if (!result.success()) {
                    node.events().warning(pod, field, "FailedPostStartHook", result.message());
                    toKill.put(started.id(), "FailedPostStartHook");
                    killRequested(pod);
                    stoppedInSync = true;
                }
            }
        }
        return true;
    }

    /** The container's mounts, each subPath (or expanded subPathExpr) made in its volume when missing. */
    private static List<ContainerConfig.Mount> mounts(Pod pod, Container container, Map<String, Path> volumes,
                                                      Map<String, String> env) throws IOException {
        List<ContainerConfig.Mount> mounts = new ArrayList<>();
        for (VolumeMount mount : container.getVolumeMounts()) {
            Path source = volumes.get(mount.getName());
            if (source == null) {
                continue; // validation refuses a mount of an unknown volume; nothing to mount
            }
            String subPath = mount.getSubPathExpr() != null && !mount.getSubPathExpr().isEmpty()
                    ? Expansion.expand(mount.getSubPathExpr(), env) : mount.getSubPath();
            if (subPath != null && !subPath.isEmpty()) {
                try {
                    source = SubPaths.prepare(source, subPath);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("failed to prepare subPath for volumeMount \""
                            + mount.getName() + "\" of container \"" + container.getName() + "\": "
                            + e.getMessage());
                }
            }
            mounts.add(new ContainerConfig.Mount(source.toString(), mount.getMountPath(),
                    Boolean.TRUE.equals(mount.getReadOnly()) || PodVolumes.readOnly(pod, mount.getName()),
                    ContainerConfig.Propagation.of(mount.getMountPropagation())));
        }
        return mounts;
    }

    private Probes.Listener listener(Pod pod, Container container, String containerId) {
        String field = fieldPath(container, false);
        return new Probes.Listener() {
            @Override
            public void changed() {
                resync.run();
            }

            @Override
            public void failed(String probe, String message) {
                node.events().normal(pod, field, "Killing", "Container " + container.getName() + " failed "
                        + probe.toLowerCase() + " probe, will be restarted");
                toKill.put(containerId, probe);
                resync.run();
            }

            @Override
            public void unhealthy(String probe, String message) {
                node.events().warning(pod, field, "Unhealthy", message);
            }
        };
    }

    /** Kills the runs the probes (or a failed postStart hook) gave up on; the restart follows the policy. */
    private void killRequested(Pod pod) throws IOException {
        for (String containerId : List.copyOf(toKill.keySet())) {
            node.probes().stop(containerId);
            node.runtime().stopContainer(containerId, gracePeriod(pod, null));
            toKill.remove(containerId);
        }
    }

    /** Graceful deletion: preStop, SIGTERM, the grace period, SIGKILL; then the status and the final delete. */
    private void terminate(Pod pod) throws IOException {
        SandboxStatus sandbox = node.runtime().sandbox(uid);
        if (sandbox != null) {
            Long seconds = pod.getMetadata().getDeletionGracePeriodSeconds();
            stopAll(sandbox, pod, gracePeriod(pod, seconds));
            SandboxStatus ended = node.runtime().sandbox(uid);
            if (written != null) {
                writeStatus(pod, ended.sandbox().ip() != null ? ended.sandbox().ip()
                        : node.hostIp());
            }
            node.probes().stopPod(uid);
            node.runtime().removeSandbox(uid);
        }
        if (!finalDeleteSent) {
            try {
                node.client().pods().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
                finalDeleteSent = true;
            } catch (KubernetesClientException e) {
                LOG.debugf("final delete of pod %s: %s", pod.getMetadata().getName(), e.getMessage());
            }
        }
    }

    /**
     * A hard eviction, as the kubelet's: every container killed without grace, the pod Failed with reason Evicted,
     * a DisruptionTarget condition and an Evicted event; its sandbox and logs stay until the pod is deleted.
     */
    private void evictNow(Pod pod) throws IOException {
        String message = eviction;
        node.events().warning(pod, null, "Evicted", message);
        SandboxStatus sandbox = node.runtime().sandbox(uid);
        if (sandbox != null) {
            stopAll(sandbox, pod, Duration.ZERO);
        }
        PodStatus status = statusNow(pod, sandbox == null ? null : sandbox.sandbox().ip(), false);
        status.setPhase("Failed");
        status.setReason("Evicted");
        status.setMessage(message);
        status.getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                .withType("DisruptionTarget").withStatus("True").withReason("TerminationByKubelet")
                .withMessage(message).withLastTransitionTime(Instant.now().truncatedTo(
                        java.time.temporal.ChronoUnit.SECONDS).toString()).build());
        write(pod, status);
    }

    private static Duration gracePeriod(Pod pod, Long deletionSeconds) {
        Long seconds = deletionSeconds != null ? deletionSeconds : pod.getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(seconds == null ? DEFAULT_GRACE_SECONDS : Math.max(0, seconds));
    }

    /**
     * The stop of a pod's runs while it waits out a grace period: its end, and a shorter one's kill. The kill comes
     * from a thread of its own, since the runs' own stops wait where they are.
     */
    private final class Stopping {
        private final List<String> containerIds;
        private volatile Instant deadline;

        Stopping(List<String> containerIds, Instant deadline) {
            this.containerIds = containerIds;
            this.deadline = deadline;
        }

        Instant deadline() {
            return deadline;
        }

        synchronized void shorten(Instant earlier) {
            if (!earlier.isBefore(deadline)) {
                return;
            }
            deadline = earlier;
            Thread kill = new Thread(() -> {
                try {
                    Duration wait = Duration.between(Instant.now(), earlier);
                    if (!wait.isNegative()) {
                        Thread.sleep(wait.toMillis());
                    }
                    if (stopping == this && deadline.equals(earlier)) {
                        for (String id : containerIds) {
                            node.runtime().stopContainer(id, Duration.ZERO);
                        }
                    }
                } catch (IOException e) {
                    LOG.debugf("killing pod %s at its shortened grace period: %s", uid, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kill-" + uid);
            kill.setDaemon(true);
            kill.start();
        }
    }

    /** Stops every running container of the sandbox in parallel, each after its preStop hook. */
    private void stopAll(SandboxStatus sandbox, Pod pod, Duration grace) throws IOException {
        List<ContainerStatus> running = sandbox.containers().stream().filter(ContainerStatus::running).toList();
        if (running.isEmpty()) {
            return;
        }
        Instant deadline = Instant.now().plus(grace);
        stopping = new Stopping(running.stream().map(ContainerStatus::id).toList(), deadline);
        // An update between the sync's start and here is not lost: the latest pod's grace may be shorter already.
        shortenGrace(this.pod);
        List<Thread> stops = new ArrayList<>();
        List<IOException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (ContainerStatus container : running) {
            node.probes().stop(container.id());
            Container spec = pod == null ? null : specOf(pod, container.name());
            if (pod != null && spec != null) {
                node.events().normal(pod, fieldPath(spec, isInit(pod, spec)), "Killing",
                        "Stopping container " + container.name());
            }
            Thread stop = new Thread(() -> {
                try {
                    if (spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null
                            && !grace.isZero()) {
                        LifecycleHandler hook = spec.getLifecycle().getPreStop();
                        ProbeCheck.Result result = ProbeCheck.run(node.runtime(), container.id(), spec,
                                sandbox.sandbox().ip() != null ? sandbox.sandbox().ip() : node.hostIp(),
                                hook.getExec(), hook.getHttpGet(), hook.getTcpSocket(), grace);
                        if (!result.success()) {
                            node.events().warning(pod, fieldPath(spec, isInit(pod, spec)), "FailedPreStopHook",
                                    "PreStopHook failed: " + result.message());
                        }
                    }
                    Duration left = Duration.between(Instant.now(), deadline);
                    node.runtime().stopContainer(container.id(), left.isNegative() ? Duration.ZERO : left);
                } catch (IOException e) {
                    failures.add(e);
                }
            }, "stop-" + container.id());
            stop.start();
            stops.add(stop);
        }
        try {
            for (Thread stop : stops) {
                stop.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping pod " + uid, e);
        } finally {
            stopping = null;
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** @param podIp the sandbox's address, or the node's for a pod in the node's network (as Kubernetes has it) */
    private void writeStatus(Pod pod, String podIp) throws IOException {
        write(pod, statusNow(pod, podIp, true));
    }

    /** The pod's status from what the runtime has of it now. */
    private PodStatus statusNow(Pod pod, String ip, boolean sandboxReady) throws IOException {
        SandboxStatus found = node.runtime().sandbox(uid);
        return statusOf(pod, found == null ? List.of() : found.containers(), ip, sandboxReady);
    }

    /** The pod's status from the runs given. */
    private PodStatus statusOf(Pod pod, List<ContainerStatus> runs, String ip, boolean sandboxReady) {
        List<ContainerView> views = new ArrayList<>();
        pod.getSpec().getInitContainers().forEach(c -> views.add(view(c, true, runs)));
        pod.getSpec().getContainers().forEach(c -> views.add(view(c, false, runs)));
        pod.getSpec().getEphemeralContainers().forEach(c -> views.add(ephemeralView(c, runs)));
        String version = node.runtime().version();
        return PodStatuses.of(pod, views, ip, node.hostIp(), sandboxReady, Instant.now(),
                version.substring(0, version.indexOf("://")));
    }

    private static String readiness(PodStatus status) {
        return status == null || status.getConditions() == null ? null : status.getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus()).findFirst().orElse(null);
    }

    private ContainerView view(Container container, boolean init, List<ContainerStatus> runs) {
        List<ContainerStatus> mine = runsOf(runs, container.getName());
        ContainerStatus latest = mine.isEmpty() ? null : mine.get(0);
        ContainerStatus previous = mine.size() > 1 ? mine.get(1) : null;
        String[] reason = waitingReason(container.getName(), latest);
        boolean started = latest != null && latest.running() && (init || node.probes().started(latest.id()));
        boolean ready = !init && latest != null && latest.running() && node.probes().ready(latest.id());
        return new ContainerView(container.getName(), container.getImage(), init, latest, previous,
                reason == null ? null : reason[0], reason == null ? null : reason[1], ready, started);
    }

    private ContainerView ephemeralView(EphemeralContainer container, List<ContainerStatus> runs) {
        List<ContainerStatus> mine = runsOf(runs, container.getName());
        ContainerStatus latest = mine.isEmpty() ? null : mine.get(0);
        String[] reason = waitingReason(container.getName(), latest);
        return ContainerView.ephemeral(container.getName(), container.getImage(), latest, null,
                reason == null ? null : reason[0], reason == null ? null : reason[1]);
    }

    /** The container's runs, the latest first. */
    private static List<ContainerStatus> runsOf(List<ContainerStatus> runs, String name) {
        return runs.stream().filter(run -> run.name().equals(name))
                .sorted(Comparator.comparingInt(ContainerStatus::attempt).reversed()).toList();
    }

    /** Why the container waits ([reason, message]), unless its latest run is running. */
    private String[] waitingReason(String name, ContainerStatus latest) {
        return latest != null && latest.running() ? null : waiting.get(name);
    }

    private void write(Pod pod, PodStatus status) {
        // The API's copy counts too: a readiness someone else changed (the node controller marks the pods of a
        // silent node not Ready) is set right, as the kubelet's status sync does.
        if (Objects.equals(status, written) && Objects.equals(readiness(pod.getStatus()), readiness(status))) {
            return;
        }
        try {
            Pod patch = new PodBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                    .withNamespace(pod.getMetadata().getNamespace()).endMetadata().withStatus(status).build();
            StatusPatch.write(node.client(), patch);
            written = status;
            if (!startCounted && "Running".equals(status.getPhase())) {
                startCounted = true;
                node.metrics().podStarted(Duration.between(firstSeen, Instant.now()));
            }
        } catch (KubernetesClientException e) {
            // The next sync writes it again (the API is down, or the pod is gone).
            LOG.debugf("status of pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** The runs read at the sync's start with those it started since. */
    private List<ContainerStatus> withStarted(List<ContainerStatus> runs) {
        if (startedInSync.isEmpty()) {
            return runs;
        }
        List<ContainerStatus> all = new ArrayList<>(runs);
        for (ContainerStatus run : startedInSync) {
            all.removeIf(read -> read.id().equals(run.id()));
            all.add(run);
        }
        return all;
    }

    private static ContainerStatus latest(List<ContainerStatus> runs, String name) {
        return runs.stream().filter(run -> run.name().equals(name))
                .max(Comparator.comparingInt(ContainerStatus::attempt)).orElse(null);
    }

    private static boolean terminal(PodStatus status) {
        return status != null && Set.of("Succeeded", "Failed").contains(status.getPhase());
    }

    private static Container specOf(Pod pod, String name) {
        return java.util.stream.Stream.concat(pod.getSpec().getContainers().stream(),
                pod.getSpec().getInitContainers().stream()).filter(c -> c.getName().equals(name)).findFirst()
                .orElse(null);
    }

    private static boolean isInit(Pod pod, Container container) {
        return pod.getSpec().getInitContainers().contains(container);
    }

    private static String fieldPath(Container container, boolean init) {
        return (init ? Kind.INIT : Kind.MAIN).fieldPath(container);
    }

    /** Which list of the spec a container is in, as events name it. */
    private enum Kind {
        INIT("spec.initContainers", "init_container"), MAIN("spec.containers", "container"),
        EPHEMERAL("spec.ephemeralContainers", "ephemeral_container");

        private final String list;
        /** The kubelet's {@code container_type} label of kubelet_started_containers_total. */
        private final String metricLabel;

        Kind(String list, String metricLabel) {
            this.list = list;
            this.metricLabel = metricLabel;
        }

        String fieldPath(Container container) {
            return list + "{" + container.getName() + "}";
        }
    }

    private static long limit(Container container, String resource) {
        var resources = container.getResources();
        return amount(resources == null ? null : resources.getLimits(), resource);
    }

    private static long request(Container container, String resource) {
        var resources = container.getResources();
        return amount(resources == null ? null : resources.getRequests(), resource);
    }

    private static long amount(Map<String, Quantity> quantities, String resource) {
        Quantity quantity = quantities == null ? null : quantities.get(resource);
        return quantity == null ? 0 : NodeAdmission.amount(quantity, resource);
    }

    /** The pod's resolv.conf, its warnings given as events once per pod, as the kubelet gives them per sandbox. */
    private DnsSettings dns(Pod pod) {
        if (node.dns() == null) {
            return null;
        }
        PodDns.Result result = node.dns().of(pod);
        if (!dnsWarned) {
            result.warnings().forEach(w -> node.events().warning(pod, null, w.reason(), w.message()));
            dnsWarned = true;
        }
        return result.settings();
    }

}
