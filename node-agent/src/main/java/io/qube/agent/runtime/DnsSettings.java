package io.qube.agent.runtime;

import java.util.List;

/** A pod's resolv.conf as CRI's DNSConfig gives it to the runtime: nameservers, search domains, options. */
public record DnsSettings(List<String> servers, List<String> searches, List<String> options) {
}
