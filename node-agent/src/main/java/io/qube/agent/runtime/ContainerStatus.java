package io.qube.agent.runtime;

import java.time.Instant;

/**
 * A container as the runtime sees it.
 *
 * @param id       unique on the node, stable across agent restarts
 * @param exitCode meaningful once {@code running} is false
 * @param reason   for an ended container: Completed, Error or OOMKilled, as Kubernetes reports them
 * @param message  what the runtime can say about an end (e.g. a command that could not be started)
 * @param imageRef the image it runs, by digest where the runtime knows it; null for host commands
 */
public record ContainerStatus(String id, String name, int attempt, boolean running, long pid, Instant startedAt,
                              Instant finishedAt, int exitCode, String reason, String message, String imageRef) {
}
