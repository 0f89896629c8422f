package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A pod's quality-of-service class, computed from its containers' cpu and memory as Kubernetes does. */
final class QosClass {

    private static final Set<String> COMPUTE_RESOURCES = Set.of("cpu", "memory");

    private QosClass() {
    }

    /**
     * Guaranteed when every container (init containers included) limits both cpu and memory and requests equal
     * limits; BestEffort when nothing requests or limits either; Burstable otherwise. Call after requests were
     * defaulted from limits.
     */
    static String of(PodSpec spec) {
        Map<String, BigDecimal> requests = new HashMap<>();
        Map<String, BigDecimal> limits = new HashMap<>();
        boolean guaranteed = true;
        List<Container> containers = new ArrayList<>(NullSafe.list(spec.getContainers()));
        containers.addAll(NullSafe.list(spec.getInitContainers()));
        for (Container container : containers) {
            ResourceRequirements resources = container.getResources() == null
                    ? new ResourceRequirements() : container.getResources();
            addPositive(resources.getRequests(), requests);
            Set<String> limited = addPositive(resources.getLimits(), limits);
            if (!limited.containsAll(COMPUTE_RESOURCES)) {
                guaranteed = false;
            }
        }
        if (requests.isEmpty() && limits.isEmpty()) {
            return "BestEffort";
        }
        if (guaranteed && requests.size() == limits.size() && requests.entrySet().stream()
                .allMatch(request -> limits.containsKey(request.getKey())
                        && limits.get(request.getKey()).compareTo(request.getValue()) == 0)) {
            return "Guaranteed";
        }
        return "Burstable";
    }

    /**
     * Adds the positive cpu and memory amounts into the totals; returns which of the two were present. Malformed
     * quantities are skipped: validation refuses the pod anyway.
     */
    private static Set<String> addPositive(Map<String, Quantity> quantities, Map<String, BigDecimal> totals) {
        Set<String> found = new HashSet<>();
        NullSafe.map(quantities).forEach((name, quantity) -> {
            if (!COMPUTE_RESOURCES.contains(name)) {
                return;
            }
            Quantities.value(quantity).filter(amount -> amount.signum() > 0).ifPresent(amount -> {
                found.add(name);
                totals.merge(name, amount, BigDecimal::add);
            });
        });
        return found;
    }
}
