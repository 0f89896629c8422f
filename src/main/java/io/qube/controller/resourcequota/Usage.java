package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a namespace uses of each quota resource, as Kubernetes' quota evaluators count it: pods that have not
 * finished and the sums of their containers' requests and limits (an init container's own when larger), object
 * counts, node ports and load balancers of services, storage requested by claims.
 */
final class Usage {

    private final NamespaceObjects objects;
    private final String namespace;

    Usage(NamespaceObjects objects, String namespace) {
        this.objects = objects;
        this.namespace = namespace;
    }

    /** The usage of a resource a quota names, or nothing when Qube cannot count it. */
    Optional<BigDecimal> of(String resource) {
        return switch (resource) {
            case "pods", "count/pods" -> Optional.of(BigDecimal.valueOf(activePods().size()));
            case "cpu", "requests.cpu" -> Optional.of(podSum("requests", "cpu"));
            case "memory", "requests.memory" -> Optional.of(podSum("requests", "memory"));
            case "ephemeral-storage", "requests.ephemeral-storage" -> Optional.of(podSum("requests",
                    "ephemeral-storage"));
            case "limits.cpu" -> Optional.of(podSum("limits", "cpu"));
            case "limits.memory" -> Optional.of(podSum("limits", "memory"));
            case "limits.ephemeral-storage" -> Optional.of(podSum("limits", "ephemeral-storage"));
            case "services.nodeports" -> Optional.of(nodePorts());
            case "services.loadbalancers" -> Optional.of(BigDecimal.valueOf(objects.services(namespace).stream()
                    .filter(service -> "LoadBalancer".equals(service.getSpec().getType())).count()));
            case "requests.storage" -> Optional.of(claimStorage());
            default -> count(resource.startsWith("count/") ? resource.substring("count/".length()) : resource);
        };
    }

    private Optional<BigDecimal> count(String resource) {
        return objects.of(resource, namespace).map(List::size).map(BigDecimal::valueOf);
    }

    /** Pods that still hold resources: not Succeeded or Failed. */
    private List<Pod> activePods() {
        return objects.pods(namespace).stream().filter(pod -> {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            return !"Succeeded".equals(phase) && !"Failed".equals(phase);
        }).toList();
    }

    private BigDecimal podSum(String list, String name) {
        BigDecimal total = BigDecimal.ZERO;
        for (Pod pod : activePods()) {
            total = total.add(podAmount(pod, list, name));
        }
        return total;
    }

    /** A pod's amount: its containers' sum, or its largest init container's if more, plus its overhead. */
    private static BigDecimal podAmount(Pod pod, String list, String name) {
        if (pod.getSpec() == null) {
            return BigDecimal.ZERO;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (Container container : nonNull(pod.getSpec().getContainers())) {
            sum = sum.add(containerAmount(container, list, name));
        }
        for (Container container : nonNull(pod.getSpec().getInitContainers())) {
            sum = sum.max(containerAmount(container, list, name));
        }
        return sum.add(amount(pod.getSpec().getOverhead(), name));
    }

    private static BigDecimal containerAmount(Container container, String list, String name) {
        if (container.getResources() == null) {
            return BigDecimal.ZERO;
        }
        return amount(list.equals("limits") ? container.getResources().getLimits()
                : container.getResources().getRequests(), name);
    }

    private BigDecimal nodePorts() {
        long ports = 0;
        for (Service service : objects.services(namespace)) {
            String type = service.getSpec() == null ? null : service.getSpec().getType();
            if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
                ports += nonNull(service.getSpec().getPorts()).size();
            }
        }
        return BigDecimal.valueOf(ports);
    }

    private BigDecimal claimStorage() {
        BigDecimal total = BigDecimal.ZERO;
        for (PersistentVolumeClaim claim : objects.claims(namespace)) {
            if (claim.getSpec() != null && claim.getSpec().getResources() != null) {
                total = total.add(amount(claim.getSpec().getResources().getRequests(), "storage"));
            }
        }
        return total;
    }

    private static BigDecimal amount(Map<String, Quantity> quantities, String name) {
        Quantity quantity = quantities == null ? null : quantities.get(name);
        if (quantity == null) {
            return BigDecimal.ZERO;
        }
        try {
            return Quantity.getAmountInBytes(quantity);
        } catch (IllegalArgumentException e) {
            return BigDecimal.ZERO; // the apiserver validated it; nothing sensible to add otherwise
        }
    }

    private static <T> List<T> nonNull(List<T> items) {
        return items == null ? List.of() : items;
    }
}
