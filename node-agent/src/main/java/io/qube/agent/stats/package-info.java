/** The node's resource metrics: cpu and memory of the node, its pods and containers, served as the kubelet's. */
package io.qube.agent.stats;
