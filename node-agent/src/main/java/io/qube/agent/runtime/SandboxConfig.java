package io.qube.agent.runtime;

/**
 * A pod's sandbox as asked for: who it is for, whether it shares the node's network, its host name (the pod's
 * name or spec.hostname) and whether a container of it is privileged (a runtime may refuse one otherwise).
 */
public record SandboxConfig(String podUid, String namespace, String name, boolean hostNetwork, String hostname,
                            boolean privileged) {
}
