package io.qube.agent.runtime;

/**
 * A pod's sandbox as asked for: who it is for, whether it shares the node's network, its host name (the pod's
 * name or spec.hostname), whether a container of it is privileged (a runtime may refuse one otherwise) and its
 * resolv.conf (a runtime without DNS settings leaves the pod the node's).
 */
public record SandboxConfig(String podUid, String namespace, String name, boolean hostNetwork, String hostname,
                            boolean privileged, DnsSettings dns) {
}
