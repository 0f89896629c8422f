package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;

/**
 * The autoscaler's three conditions, set as Kubernetes sets them: each type once, in the order first set, its
 * transition time moving only when its status changes.
 */
final class AutoscalerConditions {

    static final String ABLE_TO_SCALE = "AbleToScale";
    static final String SCALING_ACTIVE = "ScalingActive";
    static final String SCALING_LIMITED = "ScalingLimited";

    private AutoscalerConditions() {
    }

    static void set(HorizontalPodAutoscaler hpa, String type, boolean status, String reason, String message,
                    Instant now) {
        if (hpa.getStatus() == null) {
            hpa.setStatus(new HorizontalPodAutoscalerStatus());
        }
        if (hpa.getStatus().getConditions() == null) {
            hpa.getStatus().setConditions(new ArrayList<>());
        }
        String value = status ? "True" : "False";
        HorizontalPodAutoscalerCondition condition = hpa.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        if (condition == null) {
            condition = new HorizontalPodAutoscalerCondition();
            condition.setType(type);
            hpa.getStatus().getConditions().add(condition);
        }
        if (!value.equals(condition.getStatus())) {
            condition.setLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        condition.setStatus(value);
        condition.setReason(reason);
        condition.setMessage(message);
    }
}
