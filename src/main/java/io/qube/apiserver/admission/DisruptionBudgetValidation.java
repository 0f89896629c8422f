package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;

/**
 * Kubernetes' validation of PodDisruptionBudgets (pkg/apis/policy/validation): minAvailable or maxUnavailable,
 * not both, each a count or a percentage up to 100%; a valid selector; a known unhealthy-pod eviction policy; and
 * counts in the status that are never negative. The spec may change after creation, as since Kubernetes 1.15.
 */
final class DisruptionBudgetValidation {

    static final List<String> UNHEALTHY_POD_EVICTION_POLICIES = List.of("AlwaysAllow", "IfHealthyBudget");

    private DisruptionBudgetValidation() {
    }

    static void validate(PodDisruptionBudget budget, PodDisruptionBudget old, FieldErrors errors) {
        PodDisruptionBudgetSpec spec = budget.getSpec() == null ? new PodDisruptionBudgetSpec() : budget.getSpec();
        if (spec.getMinAvailable() != null && spec.getMaxUnavailable() != null) {
            errors.invalid("spec", WorkloadValidation.asJson(spec), "minAvailable and maxUnavailable cannot be both set");
        }
        WorkloadValidation.intOrPercent(spec.getMinAvailable(), "spec.minAvailable", errors);
        WorkloadValidation.atMostAll(spec.getMinAvailable(), "spec.minAvailable", errors);
        WorkloadValidation.intOrPercent(spec.getMaxUnavailable(), "spec.maxUnavailable", errors);
        WorkloadValidation.atMostAll(spec.getMaxUnavailable(), "spec.maxUnavailable", errors);
        if (spec.getSelector() != null) {
            LabelSelectors.validate(spec.getSelector(), "spec.selector", errors);
        }
        String policy = spec.getUnhealthyPodEvictionPolicy();
        if (policy != null && !UNHEALTHY_POD_EVICTION_POLICIES.contains(policy)) {
            errors.notSupported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES);
        }
        PodDisruptionBudgetStatus status = budget.getStatus();
        if (status != null) {
            WorkloadValidation.nonNegative(status.getDisruptionsAllowed(), "status.disruptionsAllowed", errors);
            WorkloadValidation.nonNegative(status.getCurrentHealthy(), "status.currentHealthy", errors);
            WorkloadValidation.nonNegative(status.getDesiredHealthy(), "status.desiredHealthy", errors);
            WorkloadValidation.nonNegative(status.getExpectedPods(), "status.expectedPods", errors);
        }
    }
}
