package io.qube.agent.runtime;

import java.util.List;
import java.util.Map;

/**
 * One container to start: what to run, in what environment, with which volumes at which paths, within which
 * limits (0: none).
 *
 * @param attempt  the restart count this start is, so each run keeps a log of its own ({@code --previous})
 * @param hostname what the container's host name is (the pod's name, or its spec.hostname)
 */
public record ContainerConfig(String name, int attempt, String hostname, List<String> command, String workingDir,
                              Map<String, String> env, List<Mount> mounts, long memoryLimitBytes,
                              long cpuLimitMillis) {

    /** A host path (file or directory) seen by the container at {@code containerPath}. */
    public record Mount(String hostPath, String containerPath, boolean readOnly) {
    }
}
