package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.admission.SystemPriorityClasses;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;

import java.util.Collection;

/**
 * Kubernetes' Priority admission for new pods: spec.priorityClassName names a PriorityClass (the two system classes
 * always exist), whose value becomes spec.priority and whose preemptionPolicy becomes the pod's; a pod naming none
 * gets the cluster's global default class, if there is one, else priority 0. A pod may not state a priority or
 * policy other than its class's.
 */
final class PodPriority {

    static final ResourceType PRIORITY_CLASSES = new ResourceType("scheduling.k8s.io", "priorityclasses");
    private static final String DEFAULT_POLICY = "PreemptLowerPriority";

    private PodPriority() {
    }

    /** @throws ApiException 403 when the class does not exist or the pod contradicts it */
    static void resolve(ObjectNode pod, Collection<StoredObject> classes) {
        ObjectNode spec = pod.withObjectProperty("spec");
        String className = spec.path("priorityClassName").asText("");
        int priority;
        String policy;
        if (className.isEmpty()) {
            JsonNode globalDefault = globalDefault(classes);
            priority = globalDefault == null ? 0 : globalDefault.path("value").asInt();
            policy = globalDefault == null ? DEFAULT_POLICY : globalDefault.path("preemptionPolicy").asText(DEFAULT_POLICY);
            if (globalDefault != null) {
                spec.put("priorityClassName", globalDefault.path("metadata").path("name").asText());
            }
        } else if (SystemPriorityClasses.VALUES.containsKey(className)) {
            priority = SystemPriorityClasses.VALUES.get(className);
            policy = DEFAULT_POLICY;
        } else {
            JsonNode found = StoredTrees.named(classes, className);
            if (found == null) {
                throw forbidden(pod, "no PriorityClass with name " + className + " was found");
            }
            priority = found.path("value").asInt();
            policy = found.path("preemptionPolicy").asText(DEFAULT_POLICY);
        }
        if (spec.hasNonNull("priority") && spec.path("priority").asInt() != priority) {
            throw forbidden(pod, "the integer value of priority (" + spec.path("priority").asInt()
                    + ") must not be provided in pod spec; priority admission controller computed " + priority
                    + " from the given PriorityClass name");
        }
        if (spec.hasNonNull("preemptionPolicy") && !spec.path("preemptionPolicy").asText().equals(policy)) {
            throw forbidden(pod, "the string value of PreemptionPolicy (" + spec.path("preemptionPolicy").asText()
                    + ") must not be provided in pod spec; priority admission controller computed " + policy
                    + " from the given PriorityClass name");
        }
        spec.put("priority", priority);
        spec.put("preemptionPolicy", policy);
    }

    private static JsonNode globalDefault(Collection<StoredObject> classes) {
        JsonNode chosen = null;
        for (StoredObject stored : classes) {
            JsonNode priorityClass = StoredTrees.parse(stored);
            // Kubernetes picks the lowest-valued of several global defaults.
            if (priorityClass.path("globalDefault").asBoolean(false)
                    && (chosen == null || priorityClass.path("value").asInt() < chosen.path("value").asInt())) {
                chosen = priorityClass;
            }
        }
        return chosen;
    }

    private static ApiException forbidden(ObjectNode pod, String message) {
        return ApiException.forbidden("", "pods", pod.path("metadata").path("name").asText(""), message);
    }
}
