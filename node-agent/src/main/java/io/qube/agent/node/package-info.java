/** A node's presence in the cluster: its Node object (capacity, info, conditions) and its heartbeat Lease. */
package io.qube.agent.node;
