package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers a node as the kubelet does: the Node object with its standard labels, capacity and allocatable,
 * nodeInfo, addresses, conditions and kubelet endpoint; an agent that finds its Node already there (a restart)
 * refreshes its status instead. A machine node's pod CIDR is its Node's {@code spec.podCIDR(s)} unless it has one.
 */
public final class NodeRegistration {

    private static final Logger LOG = Logger.getLogger(NodeRegistration.class);
    /** The kubelet's default port, which the node advertises for logs and exec. */
    public static final int KUBELET_PORT = 10250;
    private static final String KUBELET_VERSION = "v1.32.0";

    private NodeRegistration() {
    }

    public static void register(KubernetesClient client, NodeProfile profile) {
        register(client, profile, KUBELET_PORT);
    }

    /** @param port the node's own endpoint (logs, exec, port-forward), advertised as the kubelet's */
    public static void register(KubernetesClient client, NodeProfile profile, int port) {
        Node desired = node(profile, Instant.now(), port);
        Node existing = client.nodes().withName(profile.name()).get();
        if (existing == null) {
            client.nodes().resource(desired).create();
        } else {
            client.nodes().withName(profile.name()).editStatus(node -> {
                node.setStatus(desired.getStatus());
                return node;
            });
            claimPodCidr(client, profile, existing);
        }
    }

    /**
     * Gives a registered Node without a pod CIDR the agent's, by a merge patch of the spec alone; the apiserver
     * refuses a change of one already set (by an earlier start, or by the control plane's node IPAM, which also
     * fills in a Node that got none), so that one is kept and a different one only reported.
     */
    private static void claimPodCidr(KubernetesClient client, NodeProfile profile, Node existing) {
        if (profile.podCidr() == null) {
            return;
        }
        List<String> current = podCidrs(existing);
        if (current.isEmpty()) {
            try {
                client.nodes().withName(profile.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"podCIDR\":\"" + profile.podCidr() + "\",\"podCIDRs\":[\"" + profile.podCidr()
                                + "\"]}}");
                return;
            } catch (KubernetesClientException refused) {
                // Set by another writer since it was read: the Node's is the one that counts.
                current = podCidrs(client.nodes().withName(profile.name()).get());
            }
        }
        if (!current.contains(profile.podCidr())) {
            LOG.warnf("node %s has the pod CIDR %s, not this agent's --pod-cidr %s: its pods get addresses the "
                    + "cluster does not route to it", profile.name(), current, profile.podCidr());
        }
    }

    private static List<String> podCidrs(Node node) {
        return node.getSpec() == null || node.getSpec().getPodCIDRs() == null ? List.of() : node.getSpec().getPodCIDRs();
    }

    static Node node(NodeProfile profile, Instant now) {
        return node(profile, now, KUBELET_PORT);
    }

    static Node node(NodeProfile profile, Instant now, int port) {
        Map<String, String> labels = new LinkedHashMap<>(profile.labels());
        labels.put("kubernetes.io/hostname", profile.name());
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", architecture());
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("beta.kubernetes.io/arch", architecture());
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(profile.cpu()), "memory",
                new Quantity(profile.memory()), "pods", new Quantity(Integer.toString(profile.maxPods())),
                "ephemeral-storage", new Quantity("100Gi"));
        String heartbeat = now.truncatedTo(ChronoUnit.SECONDS).toString();
        NodeStatus status = new NodeBuilder().withNewStatus()
                .withCapacity(capacity).withAllocatable(allocatable(capacity, profile.reserved()))
                .withConditions(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status",
                                heartbeat),
                        condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                "kubelet has sufficient memory available", heartbeat),
                        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
                                heartbeat),
                        condition("PIDPressure", "False", "KubeletHasSufficientPID",
                                "kubelet has sufficient PID available", heartbeat))
                .addNewAddress().withType("InternalIP").withAddress(profile.internalIp()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(profile.name()).endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(port).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture(architecture()).withOperatingSystem("linux")
                .withOsImage(System.getProperty("os.name") + " (Qube agent)")
                .withKernelVersion(System.getProperty("os.version")).withKubeletVersion(KUBELET_VERSION)
                .withKubeProxyVersion(KUBELET_VERSION).withContainerRuntimeVersion(profile.runtime())
                .withMachineID(profile.name()).withSystemUUID(profile.name()).withBootID(profile.name())
                .endNodeInfo()
                .endStatus().build().getStatus();
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(profile.name()).withLabels(labels)
                .endMetadata().withStatus(status);
        if (profile.podCidr() != null) {
            node.withNewSpec().withPodCIDR(profile.podCidr()).withPodCIDRs(profile.podCidr()).endSpec();
        }
        return node.build();
    }

    /** Capacity minus what is reserved, never below zero. */
    static Map<String, Quantity> allocatable(Map<String, Quantity> capacity, Map<String, Quantity> reserved) {
        Map<String, Quantity> allocatable = new LinkedHashMap<>();
        capacity.forEach((resource, total) -> {
            Quantity kept = reserved.get(resource);
            if (kept == null) {
                allocatable.put(resource, total);
                return;
            }
            java.math.BigDecimal left = Quantity.getAmountInBytes(total).subtract(Quantity.getAmountInBytes(kept))
                    .max(java.math.BigDecimal.ZERO);
            allocatable.put(resource, resource.equals("cpu")
                    ? new Quantity(left.movePointRight(3).setScale(0, java.math.RoundingMode.FLOOR) + "m")
                    : new Quantity(left.setScale(0, java.math.RoundingMode.FLOOR).toPlainString()));
        });
        return allocatable;
    }

    private static NodeCondition condition(String type, String status, String reason, String message,
                                           String heartbeat) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(heartbeat).withLastTransitionTime(heartbeat).build();
    }

    /** Kubernetes' GOARCH names for the JVM's os.arch. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }
}
