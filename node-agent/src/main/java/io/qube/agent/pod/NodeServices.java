package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.metrics.KubeletMetrics;
import io.qube.agent.node.NodePressure;
import io.qube.agent.runtime.ContainerRuntime;

import java.util.Map;

/**
 * What every pod worker of a node shares: the API, the runtime, events, back-off, volume setup, the node itself.
 *
 * @param pulls    the image manager, null for a runtime that runs the node's own commands
 * @param pressure the node's pressure conditions, which admission honours
 * @param dns      the pods' resolv.conf rules, null for a runtime that leaves pods the node's resolv.conf
 * @param metrics  the node's kubelet metrics, which the workers record their syncs and starts in
 */
record NodeServices(KubernetesClient client, ContainerRuntime runtime, String node, String hostIp,
                    Map<String, Quantity> allocatable, PodEvents events, CrashBackoff backoff, PodSources sources,
                    PodVolumes volumes, Probes probes, ImagePulls pulls, NodePressure pressure, PodDns dns,
                    KubeletMetrics metrics) {
}
