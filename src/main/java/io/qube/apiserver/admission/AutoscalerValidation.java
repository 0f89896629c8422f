package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricIdentifier;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' validation of a HorizontalPodAutoscaler (autoscaling/v2, the form it is stored in): replica bounds,
 * the scale target, each metric's one source and its target, the scaling behavior's rules and policies.
 */
final class AutoscalerValidation {

    private static final List<String> SOURCE_TYPES = List.of("ContainerResource", "External", "Object", "Pods",
            "Resource");
    private static final List<String> SELECT_POLICIES = List.of("Disabled", "Max", "Min");
    private static final List<String> POLICY_TYPES = List.of("Percent", "Pods");
    private static final int MAX_PERIOD_SECONDS = 1800;
    private static final int MAX_STABILIZATION_SECONDS = 3600;

    private AutoscalerValidation() {
    }

    static void validate(HorizontalPodAutoscaler autoscaler, HorizontalPodAutoscaler old, FieldErrors errors) {
        HorizontalPodAutoscalerSpec spec = autoscaler.getSpec() == null ? new HorizontalPodAutoscalerSpec()
                : autoscaler.getSpec();
        Integer min = spec.getMinReplicas();
        int max = spec.getMaxReplicas() == null ? 0 : spec.getMaxReplicas();
        if (min != null && min < 1) {
            errors.invalid("spec.minReplicas", min, "must be greater than or equal to 1");
        }
        if (max < 1) {
            errors.invalid("spec.maxReplicas", max, "must be greater than 0");
        }
        if (min != null && max < min) {
            errors.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
        }
        // As Kubernetes: metrics are only looked at with a sound target, behavior only with sound metrics.
        int before = errors.causes().size();
        reference(spec.getScaleTargetRef(), "spec.scaleTargetRef", errors);
        List<MetricSpec> metrics = NullSafe.list(spec.getMetrics());
        for (int i = 0; errors.causes().size() == before && i < metrics.size(); i++) {
            metric(metrics.get(i), "spec.metrics[" + i + "]", errors);
        }
        if (errors.causes().size() == before && spec.getBehavior() != null) {
            rules(spec.getBehavior().getScaleUp(), "spec.behavior.scaleUp", errors);
            rules(spec.getBehavior().getScaleDown(), "spec.behavior.scaleDown", errors);
        }
    }

    private static void reference(CrossVersionObjectReference reference, String path, FieldErrors errors) {
        CrossVersionObjectReference ref = reference == null ? new CrossVersionObjectReference() : reference;
        pathSegment(ref.getKind(), path + ".kind", errors);
        pathSegment(ref.getName(), path + ".name", errors);
    }

    private static void pathSegment(String value, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(value)) {
            errors.required(path, "");
            return;
        }
        if (value.equals(".") || value.equals("..")) {
            errors.invalid(path, value, "may not be '" + value + "'");
        }
        for (String forbidden : List.of("/", "%")) {
            if (value.contains(forbidden)) {
                errors.invalid(path, value, "may not contain '" + forbidden + "'");
            }
        }
    }

    private static void metric(MetricSpec metric, String path, FieldErrors errors) {
        String type = NullSafe.string(metric.getType());
        if (type.isEmpty()) {
            errors.required(path + ".type", "must specify a metric source type");
        }
        if (!SOURCE_TYPES.contains(type)) {
            errors.notSupported(path + ".type", type, SOURCE_TYPES);
        }
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("object", metric.getObject());
        sources.put("pods", metric.getPods());
        sources.put("resource", metric.getResource());
        sources.put("external", metric.getExternal());
        sources.put("containerResource", metric.getContainerResource());
        List<String> present = new ArrayList<>();
        sources.forEach((name, source) -> {
            if (source != null) {
                present.add(name);
            }
        });
        if (!present.isEmpty()) {
            source(metric, present.get(0), path + "." + present.get(0), errors);
        }
        String expected = type.isEmpty() ? "" : Character.toLowerCase(type.charAt(0)) + type.substring(1);
        if (SOURCE_TYPES.contains(type)) {
            if (sources.get(expected) == null) {
                errors.required(path + "." + expected, "must populate information for the given metric source");
            }
        } else {
            errors.notSupported(path + ".type", type, SOURCE_TYPES);
        }
        if (present.size() != 1) {
            present.stream().filter(name -> !name.equals(expected)).forEach(name ->
                    errors.forbidden(path + "." + name, "must populate the given metric source only"));
        }
    }

    private static void source(MetricSpec metric, String name, String path, FieldErrors errors) {
        switch (name) {
            case "object" -> {
                reference(metric.getObject().getDescribedObject() == null ? null : new CrossVersionObjectReference(
                        metric.getObject().getDescribedObject().getApiVersion(),
                        metric.getObject().getDescribedObject().getKind(),
                        metric.getObject().getDescribedObject().getName()), path + ".describedObject", errors);
                identifier(metric.getObject().getMetric(), path + ".metric", errors);
                MetricTarget target = target(metric.getObject().getTarget(), path + ".target", errors);
                if (target.getValue() == null && target.getAverageValue() == null) {
                    errors.required(path + ".target.averageValue", "must set either a target value or averageValue");
                }
            }
            case "pods" -> {
                identifier(metric.getPods().getMetric(), path + ".metric", errors);
                MetricTarget target = target(metric.getPods().getTarget(), path + ".target", errors);
                if (target.getAverageValue() == null) {
                    errors.required(path + ".target.averageValue", "must specify a positive target averageValue");
                }
            }
            case "external" -> {
                identifier(metric.getExternal().getMetric(), path + ".metric", errors);
                MetricTarget target = target(metric.getExternal().getTarget(), path + ".target", errors);
                if (target.getValue() == null && target.getAverageValue() == null) {
                    errors.required(path + ".target.averageValue", "must set either a target value for metric or a "
                            + "per-pod target");
                }
                if (target.getValue() != null && target.getAverageValue() != null) {
                    errors.forbidden(path + ".target.value", "may not set both a target value for metric and a "
                            + "per-pod target");
                }
            }
            case "resource" -> resource(metric.getResource().getName(), metric.getResource().getTarget(), path,
                    errors);
            default -> {
                if (NullSafe.isEmpty(metric.getContainerResource().getContainer())) {
                    errors.required(path + ".container", "must specify a container");
                }
                resource(metric.getContainerResource().getName(), metric.getContainerResource().getTarget(), path,
                        errors);
            }
        }
    }

    private static void resource(String name, MetricTarget given, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(name)) {
            errors.required(path + ".name", "must specify a resource name");
        } else {
            List<String> problems = NameSyntax.qualifiedName(name);
            problems.forEach(problem -> errors.invalid(path + ".name", name, problem));
        }
        MetricTarget target = target(given, path + ".target", errors);
        if (target.getAverageUtilization() == null && target.getAverageValue() == null) {
            errors.required(path + ".target.averageUtilization", "must set either a target raw value or a target "
                    + "utilization");
        }
        if (target.getAverageUtilization() != null && target.getAverageValue() != null) {
            errors.forbidden(path + ".target.averageValue", "may not set both a target raw value and a target "
                    + "utilization");
        }
    }

    private static void identifier(MetricIdentifier metric, String path, FieldErrors errors) {
        String name = metric == null ? "" : NullSafe.string(metric.getName());
        if (name.isEmpty()) {
            errors.required(path + ".name", "must specify a metric name");
        } else {
            NameSyntax.dns1123Subdomain(name).forEach(problem -> errors.invalid(path + ".name", name, problem));
        }
        if (metric != null && metric.getSelector() != null) {
            LabelSelectors.validate(metric.getSelector(), path + ".selector", errors);
        }
    }

    private static MetricTarget target(MetricTarget given, String path, FieldErrors errors) {
        MetricTarget target = given == null ? new MetricTarget() : given;
        String type = NullSafe.string(target.getType());
        if (type.isEmpty()) {
            errors.required(path + ".type", "must specify a metric target type");
        }
        if (!List.of("Utilization", "Value", "AverageValue").contains(type)) {
            errors.invalid(path + ".type", type, "must be either Utilization, Value, or AverageValue");
        }
        positive(target.getValue(), path + ".value", errors);
        positive(target.getAverageValue(), path + ".averageValue", errors);
        if (target.getAverageUtilization() != null && target.getAverageUtilization() < 1) {
            errors.invalid(path + ".averageUtilization", target.getAverageUtilization(), "must be greater than 0");
        }
        return target;
    }

    private static void positive(Quantity quantity, String path, FieldErrors errors) {
        if (quantity != null && Quantities.value(quantity).map(BigDecimal::signum).orElse(0) != 1) {
            errors.invalid(path, quantity.toString(), "must be positive");
        }
    }

    private static void rules(HPAScalingRules rules, String path, FieldErrors errors) {
        if (rules == null) {
            return;
        }
        Integer window = rules.getStabilizationWindowSeconds();
        if (window != null && window < 0) {
            errors.invalid(path + ".stabilizationWindowSeconds", window, "must be greater than or equal to zero");
        }
        if (window != null && window > MAX_STABILIZATION_SECONDS) {
            errors.invalid(path + ".stabilizationWindowSeconds", window, "must be less than or equal to "
                    + MAX_STABILIZATION_SECONDS);
        }
        if (rules.getSelectPolicy() != null && !SELECT_POLICIES.contains(rules.getSelectPolicy())) {
            errors.notSupported(path + ".selectPolicy", rules.getSelectPolicy(), SELECT_POLICIES);
        }
        List<HPAScalingPolicy> policies = NullSafe.list(rules.getPolicies());
        if (policies.isEmpty()) {
            errors.required(path + ".policies", "must specify at least one Policy");
        }
        for (int i = 0; i < policies.size(); i++) {
            HPAScalingPolicy policy = policies.get(i);
            String at = path + ".policies[" + i + "]";
            if (!POLICY_TYPES.contains(NullSafe.string(policy.getType()))) {
                errors.notSupported(at + ".type", NullSafe.string(policy.getType()), POLICY_TYPES);
            }
            int value = policy.getValue() == null ? 0 : policy.getValue();
            int period = policy.getPeriodSeconds() == null ? 0 : policy.getPeriodSeconds();
            if (value <= 0) {
                errors.invalid(at + ".value", value, "must be greater than zero");
            }
            if (period <= 0) {
                errors.invalid(at + ".periodSeconds", period, "must be greater than zero");
            }
            if (period > MAX_PERIOD_SECONDS) {
                errors.invalid(at + ".periodSeconds", period, "must be less than or equal to " + MAX_PERIOD_SECONDS);
            }
        }
    }
}
