package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.qube.agent.dns.ResolvConf;
import io.qube.agent.runtime.DnsSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's resolv.conf by its dnsPolicy and dnsConfig, with the kubelet's rules: ClusterFirst gives the cluster's
 * DNS, its search path and ndots:5 (a pod in the node's network gets the node's resolv.conf instead, unless
 * ClusterFirstWithHostNet), Default the node's resolv.conf, None only the pod's dnsConfig, which the others get
 * merged in; the result is cut to the resolver's limits.
 *
 * @param clusterDns    the cluster DNS addresses (kubelet's --cluster-dns); none: ClusterFirst falls back to Default
 * @param clusterDomain the cluster domain (kubelet's --cluster-domain)
 * @param host          the node's resolv.conf (kubelet's --resolv-conf)
 */
public record PodDns(List<String> clusterDns, String clusterDomain, ResolvConf host) {

    /** The resolver's limits that the kubelet keeps to (and validation of spec.dnsConfig). */
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_CHARS = 2048;
    /** The longest name a resolver takes as a search domain (glibc aborts on longer ones). */
    private static final int MAX_DOMAIN = 253;

    /** A pod's DNS settings and the warnings the kubelet gives as events on the way to them. */
    public record Result(DnsSettings settings, List<Warning> warnings) {
    }

    public record Warning(String reason, String message) {
    }

    public Result of(Pod pod) {
        List<Warning> warnings = new ArrayList<>();
        String policy = pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        boolean cluster = policy.equals("ClusterFirstWithHostNet")
                || policy.equals("ClusterFirst") && !hostNetwork;
        if (cluster && clusterDns.isEmpty()) {
            warnings.add(new Warning("MissingClusterDNS", "pod: \"" + pod.getMetadata().getName() + "_"
                    + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid() + ")\". kubelet does not "
                    + "have ClusterDNS IP configured and cannot create Pod using \"" + policy + "\" policy. "
                    + "Falling back to \"Default\" policy."));
            cluster = false;
        }
        List<String> servers;
        List<String> searches;
        List<String> options;
        if (policy.equals("None")) {
            servers = List.of();
            searches = List.of();
            options = List.of();
        } else if (cluster) {
            servers = clusterDns;
            String namespace = pod.getMetadata().getNamespace();
            searches = new ArrayList<>(List.of(namespace + ".svc." + clusterDomain, "svc." + clusterDomain,
                    clusterDomain));
            searches.addAll(host.searches());
            options = List.of("ndots:5");
        } else {
            servers = host.nameservers();
            searches = host.searches();
            options = host.options();
        }
        PodDNSConfig own = pod.getSpec().getDnsConfig();
        if (own != null) {
            servers = concat(servers, own.getNameservers());
            searches = concat(searches, own.getSearches());
            options = merge(options, own.getOptions());
        }
        servers = List.copyOf(new LinkedHashSet<>(servers));
        if (servers.size() > MAX_NAMESERVERS) {
            servers = servers.subList(0, MAX_NAMESERVERS);
            warnings.add(new Warning("DNSConfigForming", "Nameserver limits were exceeded, some nameservers have "
                    + "been omitted, the applied nameserver line is: " + String.join(" ", servers)));
        }
        List<String> fitting = fitSearches(new ArrayList<>(new LinkedHashSet<>(searches)));
        if (fitting.size() != new LinkedHashSet<>(searches).size()) {
            warnings.add(new Warning("DNSConfigForming", "Search Line limits were exceeded, some search paths have "
                    + "been omitted, the applied search line is: " + String.join(" ", fitting)));
        }
        return new Result(new DnsSettings(servers, fitting, options), warnings);
    }

    /** At most 32 domains of at most 253 characters, and a search line of at most 2048: the last ones go first. */
    private static List<String> fitSearches(List<String> searches) {
        List<String> fitting = new ArrayList<>(searches.subList(0, Math.min(searches.size(), MAX_SEARCHES)));
        fitting.removeIf(domain -> domain.length() > MAX_DOMAIN);
        while (String.join(" ", fitting).length() > MAX_SEARCH_CHARS) {
            fitting.remove(fitting.size() - 1);
        }
        return fitting;
    }

    private static List<String> concat(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first);
        if (more != null) {
            all.addAll(more);
        }
        return all;
    }

    /** Options by name in their first order, the pod's value winning ("ndots:2" replaces "ndots:5"). */
    private static List<String> merge(List<String> options, List<PodDNSConfigOption> own) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String option : options) {
            int colon = option.indexOf(':');
            byName.put(colon < 0 ? option : option.substring(0, colon), option);
        }
        if (own != null) {
            for (PodDNSConfigOption option : own) {
                byName.put(option.getName(), option.getValue() == null ? option.getName()
                        : option.getName() + ":" + option.getValue());
            }
        }
        return List.copyOf(byName.values());
    }
}
