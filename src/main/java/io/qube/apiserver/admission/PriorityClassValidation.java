package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;
import java.util.Objects;

/**
 * Kubernetes' validation of a PriorityClass: values above one billion and names starting "system-" belong to the
 * two built-in classes; value and preemption policy never change, since running pods already carry them.
 */
final class PriorityClassValidation {

    private static final int HIGHEST_USER_PRIORITY = 1_000_000_000;
    private static final String SYSTEM_PREFIX = "system-";
    private static final List<String> PREEMPTION_POLICIES = List.of("PreemptLowerPriority", "Never");

    private PriorityClassValidation() {
    }

    static void validate(PriorityClass priorityClass, PriorityClass old, FieldErrors errors) {
        String name = priorityClass.getMetadata() == null ? "" : NullSafe.string(priorityClass.getMetadata().getName());
        int value = priorityClass.getValue() == null ? 0 : priorityClass.getValue();
        if (name.startsWith(SYSTEM_PREFIX)) {
            String problem = systemClassProblem(name, value, Boolean.TRUE.equals(priorityClass.getGlobalDefault()));
            if (problem != null) {
                errors.forbidden("metadata.name", "priority class names with '" + SYSTEM_PREFIX
                        + "' prefix are reserved for system use only. error: " + problem);
            }
        } else if (value > HIGHEST_USER_PRIORITY) {
            errors.forbidden("value", "maximum allowed value of a user defined priority is " + HIGHEST_USER_PRIORITY);
        }
        if (priorityClass.getPreemptionPolicy() != null) {
            ContainerValidation.oneOf(priorityClass.getPreemptionPolicy(), PREEMPTION_POLICIES, "preemptionPolicy", errors);
        }
        if (old != null) {
            if (!Objects.equals(priorityClass.getValue(), old.getValue())) {
                errors.forbidden("value", "may not be changed in an update.");
            }
            if (!Objects.equals(priorityClass.getPreemptionPolicy(), old.getPreemptionPolicy())) {
                errors.invalid("preemptionPolicy", priorityClass.getPreemptionPolicy(), "field is immutable");
            }
        }
    }

    /** Why a "system-" class is not one of the built-in ones exactly, or null if it is. */
    private static String systemClassProblem(String name, int value, boolean globalDefault) {
        Integer known = SystemPriorityClasses.VALUES.get(name);
        if (known == null) {
            return name + " is not a known system priority class";
        }
        if (known != value) {
            return "value of " + name + " PriorityClass must be " + known;
        }
        if (globalDefault) {
            return "globalDefault of " + name + " PriorityClass must be false";
        }
        return null;
    }
}
