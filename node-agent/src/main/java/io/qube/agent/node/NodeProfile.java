package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/**
 * What a node reports about itself.
 *
 * @param cpu       capacity in cores, as a Kubernetes quantity ("2", "500m")
 * @param memory    capacity as a quantity ("8Gi")
 * @param runtime   the container runtime as nodeInfo.containerRuntimeVersion names it, e.g. "simulated://0.1.0"
 * @param podCidr   the range this node's pods take their addresses from, which registration gives the Node as its
 *                  {@code spec.podCIDR} if it has none yet; null: the node claims none (simulated nodes, or an
 *                  agent given no {@code --pod-cidr}, whose Node may get one from the control plane)
 * @param reserved  what is kept from pods (system and kube reservations, the hard eviction threshold), by
 *                  resource: allocatable is capacity minus it
 */
public record NodeProfile(String name, String cpu, String memory, int maxPods, String internalIp,
                          Map<String, String> labels, String runtime, String podCidr,
                          Map<String, Quantity> reserved) {
}
