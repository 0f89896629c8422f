/** The node's service proxy: Services and EndpointSlices turned into iptables rules, as kube-proxy's iptables mode. */
package io.qube.agent.proxy;
