package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.agent.node.NodePressure;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The kubelet's admission of a pod bound to the node: it must fit what the admitted pods leave of the node's
 * allocatable cpu, memory and pod count, or it fails with the kubelet's reason ({@code OutOfcpu},
 * {@code OutOfmemory}, {@code OutOfpods}) and message.
 */
final class NodeAdmission {

    /** A refusal: the pod's status reason and message. */
    record Refusal(String reason, String message) {
    }

    private NodeAdmission() {
    }

    /**
     * Null when the pod fits beside {@code admitted}. Under DiskPressure no pod is admitted, under MemoryPressure no
     * BestEffort pod, as the kubelet's eviction admission refuses them (reason Evicted).
     */
    static Refusal check(Pod pod, Collection<Pod> admitted, Map<String, Quantity> allocatable,
                         NodePressure pressure) {
        boolean bestEffort = pod.getStatus() != null && "BestEffort".equals(pod.getStatus().getQosClass());
        for (String condition : List.of(NodePressure.DISK, NodePressure.MEMORY)) {
            if (pressure.under(condition) && (condition.equals(NodePressure.DISK) || bestEffort)) {
                return new Refusal("Evicted", "Pod was rejected: The node had condition: [" + condition + "]. ");
            }
        }
        for (String resource : List.of("cpu", "memory")) {
            Quantity capacity = allocatable.get(resource);
            if (capacity == null) {
                continue;
            }
            long requested = request(pod, resource);
            long used = admitted.stream().mapToLong(other -> request(other, resource)).sum();
            long total = amount(capacity, resource);
            if (requested > 0 && used + requested > total) {
                return new Refusal("OutOf" + resource, "Pod was rejected: Node didn't have enough resource: "
                        + resource + ", requested: " + requested + ", used: " + used + ", capacity: " + total);
            }
        }
        Quantity pods = allocatable.get("pods");
        if (pods != null && admitted.size() + 1 > amount(pods, "pods")) {
            return new Refusal("OutOfpods", "Pod was rejected: Node didn't have enough resource: pods, requested: 1, "
                    + "used: " + admitted.size() + ", capacity: " + amount(pods, "pods"));
        }
        return null;
    }

    /** The pod's effective request: the larger of its containers' sum and its largest init container's. */
    static long request(Pod pod, String resource) {
        long containers = pod.getSpec().getContainers().stream().mapToLong(c -> request(c, resource)).sum();
        long init = pod.getSpec().getInitContainers().stream().mapToLong(c -> request(c, resource)).max().orElse(0);
        return Math.max(containers, init);
    }

    private static long request(Container container, String resource) {
        var resources = container.getResources();
        if (resources == null) {
            return 0;
        }
        Quantity value = resources.getRequests() == null ? null : resources.getRequests().get(resource);
        if (value == null && resources.getLimits() != null) {
            value = resources.getLimits().get(resource);
        }
        return value == null ? 0 : amount(value, resource);
    }

    /** cpu in millicores, memory in bytes, like the kubelet's message. */
    static long amount(Quantity quantity, String resource) {
        BigDecimal value = Quantity.getAmountInBytes(quantity);
        return (resource.equals("cpu") ? value.movePointRight(3) : value).setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }
}
