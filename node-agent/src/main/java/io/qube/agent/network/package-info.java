/**
 * This host's part of the pod network across nodes: routes to the other nodes' pod CIDRs through their
 * InternalIPs (host-gw, no overlay), the masquerade of pod traffic that leaves the cluster's pod network, and
 * sockets made inside a pod's network namespace.
 */
package io.qube.agent.network;
