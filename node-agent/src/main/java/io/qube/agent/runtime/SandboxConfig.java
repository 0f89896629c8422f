package io.qube.agent.runtime;

/**
 * A pod's sandbox as asked for: who it is for, whether it shares the node's network, its host name (the pod's
 * name or spec.hostname), whether a container of it is privileged (a runtime may refuse one otherwise), its
 * resolv.conf (a runtime without DNS settings leaves the pod the node's), whose process namespace its containers
 * have and whether they share the node's IPC namespace (a runtime without namespaces ignores both).
 */
public record SandboxConfig(String podUid, String namespace, String name, boolean hostNetwork, String hostname,
                            boolean privileged, DnsSettings dns, ProcessNamespace processes, boolean hostIpc) {
}
