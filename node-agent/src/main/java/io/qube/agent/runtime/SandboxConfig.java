package io.qube.agent.runtime;

/** A pod's sandbox as asked for: who it is for and whether it shares the node's network. */
public record SandboxConfig(String podUid, String namespace, String name, boolean hostNetwork) {
}
