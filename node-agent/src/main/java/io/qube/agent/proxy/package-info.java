/** The node's service proxy: Services and EndpointSlices turned into iptables NAT rules, as kube-proxy's iptables mode. */
package io.qube.agent.proxy;
