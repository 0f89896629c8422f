package io.qube.agent.dns;

import java.nio.file.Path;
import java.util.List;

/**
 * The node's DNS settings, as the kubelet's flags give them.
 *
 * @param clusterDns    the nameservers of ClusterFirst pods (--cluster-dns); none: kube-system/kube-dns's cluster IP
 * @param clusterDomain the cluster domain (--cluster-domain)
 * @param resolvConf    the node's resolv.conf (--resolv-conf): Default pods' and the DNS server's upstreams
 * @param serverPort    the port of the node's DNS server on its InternalIP
 * @param serve         whether this node serves cluster DNS at all
 */
public record NodeDnsConfig(List<String> clusterDns, String clusterDomain, Path resolvConf, int serverPort,
                            boolean serve) {

    public static final String DEFAULT_DOMAIN = "cluster.local";
}
