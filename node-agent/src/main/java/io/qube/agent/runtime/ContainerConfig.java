package io.qube.agent.runtime;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One container to start: what to run, in what environment, with which volumes at which paths, within which
 * resources (0: none).
 *
 * @param attempt  the restart count this start is, so each run keeps a log of its own ({@code --previous})
 * @param hostname what the container's host name is (the pod's name, or its spec.hostname)
 * @param image    the image to run, as pulled (runtimes that run host commands ignore it)
 * @param command  the container's command, expanded; empty: the image's entrypoint
 * @param args     the container's args, expanded; empty: the image's cmd (when command is empty too)
 * @param streams  whether the container has a stdin kept open and a terminal (for {@code pods/attach})
 * @param pidTarget the id of the container whose process namespace this one joins (an ephemeral container's
 *                  targetContainerName), or null for one of its own
 */
public record ContainerConfig(String name, int attempt, String hostname, String image, List<String> command,
                              List<String> args, String workingDir, Map<String, String> env, List<Mount> mounts,
                              Resources resources, Security security, Streams streams, String pidTarget) {

    /** The container's spec stdin, stdinOnce and tty. */
    public record Streams(boolean stdin, boolean stdinOnce, boolean tty) {
        public static final Streams NONE = new Streams(false, false, false);
    }

    /**
     * A host path (file or directory) seen by the container at {@code containerPath}, with how mounts under it
     * propagate between the node and the container.
     */
    public record Mount(String hostPath, String containerPath, boolean readOnly, Propagation propagation) {
    }

    /** A volume mount's mountPropagation: None, HostToContainer, Bidirectional. */
    public enum Propagation {
        /** None: mounts on either side stay there. */
        PRIVATE,
        /** HostToContainer: the node's later mounts under the path show in the container. */
        HOST_TO_CONTAINER,
        /** Bidirectional (privileged only): and the container's show on the node. */
        BIDIRECTIONAL;

        public static Propagation of(String mountPropagation) {
            if ("Bidirectional".equals(mountPropagation)) {
                return BIDIRECTIONAL;
            }
            return "HostToContainer".equals(mountPropagation) ? HOST_TO_CONTAINER : PRIVATE;
        }
    }

    /** What the container may use: cpu in millicores (request sets its share, limit its quota), memory in bytes. */
    public record Resources(long cpuRequestMillis, long cpuLimitMillis, long memoryLimitBytes) {
    }

    /**
     * The pod's and container's securityContext fields that a runtime applies (the container's win): user and
     * groups (null: the image's), a read-only root file system, privileged, capabilities, no_new_privs.
     */
    public record Security(Long runAsUser, Long runAsGroup, List<Long> supplementalGroups, boolean readOnlyRootFs,
                           boolean privileged, List<String> addCapabilities, List<String> dropCapabilities,
                           boolean noNewPrivileges) {
        public static final Security NONE = new Security(null, null, List.of(), false, false, List.of(), List.of(),
                false);
    }

    /** Command then args: what runs when the image has nothing to add (the process runtime). */
    public List<String> commandLine() {
        return Stream.concat(command.stream(), args.stream()).toList();
    }
}
