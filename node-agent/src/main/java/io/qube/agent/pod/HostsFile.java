package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The /etc/hosts the kubelet manages for a pod's containers: localhost, the pod's own IP with its hostname (and its
 * fully qualified name when it has a subdomain), then the pod's hostAliases. A host-network pod gets the node's
 * own hosts file with the aliases after it. Written once per sandbox in its directory, mounted into each container
 * that does not mount something at /etc/hosts itself.
 */
final class HostsFile {

    static final String CONTAINER_PATH = "/etc/hosts";
    private static final String FILE_NAME = "etc-hosts";

    private HostsFile() {
    }

    /** Where {@link #write} puts the hosts file of the sandbox with this directory. */
    static Path path(Path sandboxDirectory) {
        return sandboxDirectory.resolve(FILE_NAME);
    }

    /**
     * Writes the pod's hosts file into {@code sandboxDirectory} unless it is there already (as the kubelet, once
     * per pod).
     *
     * @param clusterDomain the cluster domain, or null (no fully qualified name then)
     * @param nodeHosts     the node's hosts file, for host-network pods
     */
    static void write(Pod pod, Path sandboxDirectory, String podIp, String clusterDomain, Path nodeHosts)
            throws IOException {
        Path file = path(sandboxDirectory);
        if (Files.exists(file)) {
            return;
        }
        StringBuilder hosts = new StringBuilder();
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            hosts.append(Files.isRegularFile(nodeHosts) ? Files.readString(nodeHosts) : "");
            if (hosts.length() > 0 && hosts.charAt(hosts.length() - 1) != '\n') {
                hosts.append('\n');
            }
        } else {
            hosts.append("# Kubernetes-managed hosts file.\n")
                    .append("127.0.0.1\tlocalhost\n")
                    .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                    .append("fe00::0\tip6-localnet\n")
                    .append("fe00::0\tip6-mcastprefix\n")
                    .append("fe00::1\tip6-allnodes\n")
                    .append("fe00::2\tip6-allrouters\n");
            String hostname = hostname(pod);
            String subdomain = pod.getSpec().getSubdomain();
            if (subdomain != null && !subdomain.isEmpty() && clusterDomain != null) {
                hosts.append(podIp).append('\t').append(hostname).append('.').append(subdomain).append('.')
                        .append(pod.getMetadata().getNamespace()).append(".svc.").append(clusterDomain)
                        .append('\t').append(hostname).append('\n');
            } else {
                hosts.append(podIp).append('\t').append(hostname).append('\n');
            }
        }
        if (!pod.getSpec().getHostAliases().isEmpty()) {
            hosts.append("\n# Entries added by HostAliases.\n");
            for (HostAlias alias : pod.getSpec().getHostAliases()) {
                hosts.append(alias.getIp()).append('\t').append(String.join("\t", alias.getHostnames()))
                        .append('\n');
            }
        }
        Files.writeString(file, hosts);
    }

    /** The pod's hostname: spec.hostname, else its name. */
    static String hostname(Pod pod) {
        return pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
                ? pod.getSpec().getHostname() : pod.getMetadata().getName();
    }
}
