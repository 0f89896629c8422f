package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;

/**
 * A PodDisruptionBudget's defaults. policy/v1 defaults nothing in the spec, but the status' four counts are Go
 * integers without omitempty: a budget the disruption controller has not seen yet reads them as 0.
 */
final class DisruptionBudgetDefaults {

    private DisruptionBudgetDefaults() {
    }

    static void apply(PodDisruptionBudget budget) {
        if (budget.getStatus() == null) {
            budget.setStatus(new PodDisruptionBudgetStatus());
        }
        PodDisruptionBudgetStatus status = budget.getStatus();
        status.setDisruptionsAllowed(orZero(status.getDisruptionsAllowed()));
        status.setCurrentHealthy(orZero(status.getCurrentHealthy()));
        status.setDesiredHealthy(orZero(status.getDesiredHealthy()));
        status.setExpectedPods(orZero(status.getExpectedPods()));
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
