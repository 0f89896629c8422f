package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;

import java.util.List;

/**
 * Kubernetes' autoscaling/v2 defaults: one replica at least; without metrics, 80% average CPU utilization; a
 * behavior that is given has each rule it leaves out filled with the autoscaler's defaults (scale up by 4 pods or
 * 100% every 15 s, whichever is more, without stabilization; scale down by up to 100% every 15 s).
 */
final class AutoscalerDefaults {

    private static final int DEFAULT_CPU_UTILIZATION = 80;
    private static final int PERIOD_SECONDS = 15;

    private AutoscalerDefaults() {
    }

    static void apply(HorizontalPodAutoscaler autoscaler) {
        if (autoscaler.getSpec() == null) {
            autoscaler.setSpec(new HorizontalPodAutoscalerSpec());
        }
        HorizontalPodAutoscalerSpec spec = autoscaler.getSpec();
        if (spec.getMinReplicas() == null) {
            spec.setMinReplicas(1);
        }
        if (NullSafe.list(spec.getMetrics()).isEmpty()) {
            spec.setMetrics(List.of(new MetricSpecBuilder().withType("Resource").withNewResource().withName("cpu")
                    .withNewTarget().withType("Utilization").withAverageUtilization(DEFAULT_CPU_UTILIZATION)
                    .endTarget().endResource().build()));
        }
        HorizontalPodAutoscalerBehavior behavior = spec.getBehavior();
        if (behavior != null) {
            behavior.setScaleUp(filled(behavior.getScaleUp(), 0, List.of(
                    new HPAScalingPolicy(PERIOD_SECONDS, "Pods", 4),
                    new HPAScalingPolicy(PERIOD_SECONDS, "Percent", 100))));
            behavior.setScaleDown(filled(behavior.getScaleDown(), null, List.of(
                    new HPAScalingPolicy(PERIOD_SECONDS, "Percent", 100))));
        }
    }

    /** The rules as given, with each field they leave out taken from the defaults. */
    private static HPAScalingRules filled(HPAScalingRules given, Integer window, List<HPAScalingPolicy> policies) {
        HPAScalingRules rules = given == null ? new HPAScalingRules() : given;
        if (rules.getSelectPolicy() == null) {
            rules.setSelectPolicy("Max");
        }
        if (rules.getStabilizationWindowSeconds() == null) {
            rules.setStabilizationWindowSeconds(window);
        }
        // The model cannot tell an empty list from none, so an empty one is filled too.
        if (NullSafe.list(rules.getPolicies()).isEmpty()) {
            rules.setPolicies(policies);
        }
        return rules;
    }
}
