package io.qube.agent.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the pod workers need of a runtime, after CRI's RuntimeService: a sandbox per pod (its network, its
 * directory), containers started in it, their state, their stop and removal. Implementations keep their state
 * where a restarted agent finds it again: {@link #sandboxes()} is what re-adoption reads.
 */
public interface ContainerRuntime extends AutoCloseable {

    /** nodeInfo.containerRuntimeVersion, e.g. {@code process://0.1.0}. */
    String version();

    /** Creates the pod's sandbox, or returns the one it has (idempotent). */
    Sandbox runSandbox(SandboxConfig config) throws IOException;

    /** Stops what is left in the sandbox and removes it with everything it holds (idempotent). */
    void removeSandbox(String podUid) throws IOException;

    /** Starts a container in the sandbox; a command that cannot be started ends at once with its exit code. */
    ContainerStatus startContainer(Sandbox sandbox, ContainerConfig config) throws IOException;

    /** SIGTERM, then SIGKILL once the grace period is over; returns when the container has ended. */
    void stopContainer(String containerId, Duration gracePeriod) throws IOException;

    /** Removes an ended container and its log. */
    void removeContainer(String containerId) throws IOException;

    /** The pod's sandbox with its containers, or null when it has none. */
    SandboxStatus sandbox(String podUid) throws IOException;

    /** A container by its id, or null when the runtime no longer has it. */
    ContainerStatus container(String containerId) throws IOException;

    /** Every sandbox with its containers (running and ended), as found now. */
    List<SandboxStatus> sandboxes() throws IOException;

    /** The container's log in the CRI format; rotated parts beside it. */
    Path logPath(String containerId);

    /**
     * A command started in the running container for {@code pods/exec} (CRI's Exec); with {@code tty}, on a
     * terminal of its own; with {@code stdin}, reading what {@link Execution#stdin} sends.
     */
    Execution exec(String containerId, List<String> command, boolean tty, boolean stdin) throws IOException;

    /** A command run to its end in the running container, stopped after {@code timeout} (CRI's ExecSync). */
    ExecResult execSync(String containerId, List<String> command, Duration timeout) throws IOException;

    /**
     * The network namespace of the pod's ready sandbox, a path to open (port-forward dials the pod's localhost in
     * it); null when the pod has none of its own (the node's network) or no ready sandbox.
     */
    default Path network(String podUid) throws IOException {
        SandboxStatus status = sandbox(podUid);
        return status == null ? null : status.sandbox().network();
    }

    /** Attaches to a running container's stdin and output ({@code pods/attach}). */
    default Attachment attach(String containerId) throws IOException {
        throw new IOException("the " + version().substring(0, version().indexOf(':')) + " runtime cannot attach to "
                + "containers");
    }

    /**
     * The node's pod CIDR once it is known (the agent's --pod-cidr, or the Node's spec.podCIDR from the control
     * plane's node IPAM): the runtime's pods take their addresses from it. Until then a sandbox with a network of
     * its own cannot be made.
     */
    default void usePodCidr(String podCidr) throws IOException {
    }

    /**
     * A running container's cpu and memory now, for the node's resource metrics; null when the runtime cannot
     * measure it (no cgroups of its own, or the container is gone).
     */
    default ContainerUsage usage(String containerId) throws IOException {
        return null;
    }

    /**
     * The cpu and memory of these running containers now, by id, for one sampling round of the node's resource
     * metrics; a container the runtime cannot measure is left out. A runtime that answers for all its containers
     * in one request (CRI's ListContainerStats) overrides it, so a round costs one call rather than one per
     * container.
     */
    default Map<String, ContainerUsage> usage(Collection<String> containerIds) throws IOException {
        Map<String, ContainerUsage> usages = new HashMap<>();
        for (String containerId : containerIds) {
            ContainerUsage usage = usage(containerId);
            if (usage != null) {
                usages.put(containerId, usage);
            }
        }
        return usages;
    }

    /** The runtime's images; empty for a runtime that runs the node's own commands. */
    default Optional<ImageManager> images() {
        return Optional.empty();
    }

    @Override
    void close();
}
