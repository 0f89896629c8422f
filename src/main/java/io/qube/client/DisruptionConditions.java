package io.qube.client;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A PodDisruptionBudget's DisruptionAllowed condition, as both the disruption controller and the eviction
 * subresource set it (Kubernetes' UpdateDisruptionAllowedCondition): True with SufficientPods while disruptions
 * are allowed, False with InsufficientPods otherwise; its transition time moves only when its status does.
 */
public final class DisruptionConditions {

    public static final String TYPE = "DisruptionAllowed";

    private DisruptionConditions() {
    }

    /** Sets the condition from status.disruptionsAllowed (and status.observedGeneration), which must be set. */
    public static void update(PodDisruptionBudget budget, Instant now) {
        Integer allowed = budget.getStatus().getDisruptionsAllowed();
        boolean sufficient = allowed != null && allowed > 0;
        set(budget, sufficient ? "True" : "False", sufficient ? "SufficientPods" : "InsufficientPods", "", now);
    }

    /** False with SyncFailed: the controller could not compute the status, so nothing may be disrupted. */
    public static void syncFailed(PodDisruptionBudget budget, String why, Instant now) {
        set(budget, "False", "SyncFailed", why, now);
    }

    private static void set(PodDisruptionBudget budget, String value, String reason, String message, Instant now) {
        PodDisruptionBudgetStatus status = budget.getStatus();
        List<Condition> conditions = new ArrayList<>(status.getConditions() == null ? List.of()
                : status.getConditions());
        Condition existing = conditions.stream().filter(c -> TYPE.equals(c.getType())).findFirst().orElse(null);
        Condition next = new Condition();
        next.setType(TYPE);
        next.setStatus(value);
        next.setReason(reason);
        next.setMessage(message);
        next.setObservedGeneration(status.getObservedGeneration());
        next.setLastTransitionTime(existing != null && value.equals(existing.getStatus())
                ? existing.getLastTransitionTime() : now.truncatedTo(ChronoUnit.SECONDS).toString());
        if (existing == null) {
            conditions.add(next);
        } else {
            conditions.set(conditions.indexOf(existing), next);
        }
        status.setConditions(conditions);
    }
}
