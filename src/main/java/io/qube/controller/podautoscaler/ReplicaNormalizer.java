package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static io.qube.controller.podautoscaler.AutoscalerConditions.ABLE_TO_SCALE;
import static io.qube.controller.podautoscaler.AutoscalerConditions.SCALING_LIMITED;

/**
 * From the metrics' recommendation to the size the target gets, as Kubernetes' normalization does: first the
 * stabilization windows, then the bounds (min/max replicas and the rate of change: without a behavior at most
 * double or 4 pods, with one its policies). It says which of these held the size back in the AbleToScale and
 * ScalingLimited conditions, with Kubernetes' reasons, and records the rescales the policies count.
 */
final class ReplicaNormalizer {

    /** Kubernetes' bound on a scale-up without a behavior: at most this factor, or this many replicas. */
    private static final double SCALE_UP_FACTOR = 2.0;
    private static final int SCALE_UP_MINIMUM = 4;

    private final Recommendations recommendations = new Recommendations();
    private final ScaleEvents events = new ScaleEvents();
    private final Duration downscaleStabilization;
    private final Clock clock;

    /** @param downscaleStabilization the scale-down window of autoscalers whose behavior does not set one */
    ReplicaNormalizer(Duration downscaleStabilization, Clock clock) {
        this.downscaleStabilization = downscaleStabilization;
        this.clock = clock;
    }

    void recordInitial(String key, int currentReplicas) {
        recommendations.recordInitial(key, currentReplicas, clock.instant());
    }

    int normalize(HorizontalPodAutoscaler hpa, String key, int current, int desired, int minReplicas) {
        HorizontalPodAutoscalerBehavior behavior = hpa.getSpec().getBehavior();
        return behavior == null ? withoutBehavior(hpa, key, current, desired, minReplicas)
                : withBehavior(hpa, behavior, key, current, desired, minReplicas);
    }

    /** Remembers a rescale for the policies of an autoscaler with a behavior (without one nothing reads it). */
    void rescaled(HorizontalPodAutoscaler hpa, String key, int previous, int next) {
        HorizontalPodAutoscalerBehavior behavior = hpa.getSpec().getBehavior();
        if (behavior != null) {
            events.store(key, next > previous ? behavior.getScaleUp() : behavior.getScaleDown(), previous, next,
                    clock.instant());
        }
    }

    void forget(String key) {
        recommendations.forget(key);
        events.forget(key);
    }

    private int withoutBehavior(HorizontalPodAutoscaler hpa, String key, int current, int desired, int minReplicas) {
        Instant now = clock.instant();
        int stabilized = recommendations.stabilizeDown(key, desired, downscaleStabilization, now);
        if (stabilized != desired) {
            AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "ScaleDownStabilized",
                    "recent recommendations were higher than current one, applying the highest recent recommendation",
                    now);
        } else {
            AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "ReadyForNewScale",
                    "recommended size matches current size", now);
        }
        int maxReplicas = hpa.getSpec().getMaxReplicas();
        int scaleUpLimit = (int) Math.max(SCALE_UP_FACTOR * current, SCALE_UP_MINIMUM);
        int maximum;
        Limit limit;
        if (maxReplicas > scaleUpLimit) {
            maximum = scaleUpLimit;
            limit = Limit.SCALE_UP;
        } else {
            maximum = maxReplicas;
            limit = Limit.TOO_MANY;
        }
        int result = stabilized;
        if (stabilized < minReplicas) {
            limit = Limit.TOO_FEW;
            result = minReplicas;
        } else if (stabilized > maximum) {
            result = maximum;
        } else {
            limit = Limit.WITHIN;
        }
        AutoscalerConditions.set(hpa, SCALING_LIMITED, result != stabilized, limit.reason, limit.message, now);
        return result;
    }

    private int withBehavior(HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerBehavior behavior, String key,
                             int current, int desired, int minReplicas) {
        Instant now = clock.instant();
        HPAScalingRules up = behavior.getScaleUp();
        HPAScalingRules down = behavior.getScaleDown();
        Duration upWindow = Duration.ofSeconds(up.getStabilizationWindowSeconds() == null ? 0
                : up.getStabilizationWindowSeconds());
        Duration downWindow = down.getStabilizationWindowSeconds() == null ? downscaleStabilization
                : Duration.ofSeconds(down.getStabilizationWindowSeconds());
        int stabilized = recommendations.stabilize(key, desired, current, upWindow, downWindow, now);
        if (stabilized != desired) {
            if (desired >= current) {
                AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "ScaleUpStabilized", "recent recommendations "
                        + "were lower than current one, applying the lowest recent recommendation", now);
            } else {
                AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "ScaleDownStabilized", "recent recommendations "
                        + "were higher than current one, applying the highest recent recommendation", now);
            }
        } else {
            AutoscalerConditions.set(hpa, ABLE_TO_SCALE, true, "ReadyForNewScale",
                    "recommended size matches current size", now);
        }
        int result = stabilized;
        Limit limit = Limit.WITHIN;
        if (stabilized > current) {
            int rateLimit = Math.max(current, events.upLimit(key, current, up, now));
            int maximum = Math.min(hpa.getSpec().getMaxReplicas(), rateLimit);
            if (stabilized > maximum) {
                result = maximum;
                limit = hpa.getSpec().getMaxReplicas() > rateLimit ? Limit.SCALE_UP : Limit.TOO_MANY;
            }
        } else if (stabilized < current) {
            int rateLimit = Math.min(current, events.downLimit(key, current, down, now));
            int minimum = Math.max(minReplicas, rateLimit);
            if (stabilized < minimum) {
                result = minimum;
                limit = minReplicas < rateLimit ? Limit.SCALE_DOWN : Limit.TOO_FEW;
            }
        }
        AutoscalerConditions.set(hpa, SCALING_LIMITED, result != stabilized, limit.reason, limit.message, now);
        return result;
    }

    /** What bounded the size, in ScalingLimited's words. */
    private enum Limit {
        WITHIN("DesiredWithinRange", "the desired count is within the acceptable range"),
        TOO_MANY("TooManyReplicas", "the desired replica count is more than the maximum replica count"),
        TOO_FEW("TooFewReplicas", "the desired replica count is less than the minimum replica count"),
        SCALE_UP("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"),
        SCALE_DOWN("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate");

        final String reason;
        final String message;

        Limit(String reason, String message) {
            this.reason = reason;
            this.message = message;
        }
    }
}
