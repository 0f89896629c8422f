package io.qube.agent.runtime;

import java.nio.file.Path;

/**
 * A pod's sandbox: its IP and its directory (volumes live under it).
 *
 * @param network the network namespace's path, or null when the pod shares the node's
 */
public record Sandbox(String podUid, String ip, Path directory, Path network) {
}
