package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/**
 * What a node reports about itself.
 *
 * @param cpu       capacity in cores, as a Kubernetes quantity ("2", "500m")
 * @param memory    capacity as a quantity ("8Gi")
 * @param runtime   the container runtime as nodeInfo.containerRuntimeVersion names it, e.g. "simulated://0.1.0"
 * @param reserved  what is kept from pods (system and kube reservations, the hard eviction threshold), by
 *                  resource: allocatable is capacity minus it
 */
public record NodeProfile(String name, String cpu, String memory, int maxPods, String internalIp,
                          Map<String, String> labels, String runtime, Map<String, Quantity> reserved) {
}
