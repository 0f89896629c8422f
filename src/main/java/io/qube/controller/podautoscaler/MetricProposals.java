package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricStatus;
import io.qube.client.EventRecorder;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static io.qube.controller.podautoscaler.AutoscalerConditions.SCALING_ACTIVE;

/**
 * The replicas each of an autoscaler's metrics asks for, and the largest of them (Kubernetes'
 * computeReplicasForMetrics). A metric that cannot be computed records a warning event with its reason
 * (FailedGetResourceMetric, ...) and leaves an empty entry in the current metrics; the others still count unless
 * all failed or the rest would scale down, in which case nothing is proposed and ScalingActive turns False with
 * the first failure's reason. Only Resource metrics are served (no custom or external metrics API exists here).
 */
final class MetricProposals {

    /** The largest proposal (-1: none), the metric behind it, every metric's status, and the first error if any. */
    record Proposal(int replicas, String metric, List<MetricStatus> statuses, String error) {
    }

    private final PodMetricsSource metrics;
    private final ReplicaCalculator calculator;
    private final EventRecorder events;
    private final Clock clock;

    MetricProposals(PodMetricsSource metrics, ReplicaCalculator calculator, EventRecorder events, Clock clock) {
        this.metrics = metrics;
        this.calculator = calculator;
        this.events = events;
        this.clock = clock;
    }

    Proposal propose(HorizontalPodAutoscaler hpa, int specReplicas, String selector, List<Pod> pods) {
        List<MetricSpec> specs = hpa.getSpec().getMetrics() == null ? List.of() : hpa.getSpec().getMetrics();
        List<MetricStatus> statuses = new ArrayList<>();
        int replicas = 0;
        String metric = "";
        int invalid = 0;
        String firstError = null;
        Failure firstFailure = null;
        for (MetricSpec spec : specs) {
            MetricStatus status = new MetricStatus();
            status.setType("");
            try {
                One one = one(hpa, spec, specReplicas, selector, pods, status);
                if (replicas == 0 || one.replicas() > replicas) {
                    replicas = one.replicas();
                    metric = one.name();
                }
            } catch (Failure failure) {
                if (invalid == 0) {
                    firstFailure = failure;
                    firstError = failure.getMessage();
                }
                invalid++;
            }
            statuses.add(status);
        }
        String error = firstError == null ? null
                : "invalid metrics (" + invalid + " invalid out of " + specs.size() + "), first error is: " + firstError;
        if (invalid >= specs.size() || (invalid > 0 && replicas < specReplicas)) {
            AutoscalerConditions.set(hpa, SCALING_ACTIVE, false, firstFailure.reason, firstFailure.condition,
                    clock.instant());
            return new Proposal(-1, "", statuses, error);
        }
        AutoscalerConditions.set(hpa, SCALING_ACTIVE, true, "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from " + metric, clock.instant());
        return new Proposal(replicas, metric, statuses, error);
    }

    private record One(int replicas, String name) {
    }

    /** One metric could not be computed: the reason, the condition's message and the error passed up. */
    private static final class Failure extends Exception {
        final String reason;
        final String condition;

        Failure(String reason, String cause, String error) {
            super(error);
            this.reason = reason;
            this.condition = "the HPA was unable to compute the replica count: " + cause;
        }
    }

    private One one(HorizontalPodAutoscaler hpa, MetricSpec spec, int specReplicas, String selector, List<Pod> pods,
                    MetricStatus status) throws Failure {
        String type = spec.getType() == null ? "" : spec.getType();
        if (!type.equals("Resource") || spec.getResource() == null) {
            String reason = switch (type) {
                case "Pods" -> "FailedGetPodsMetric";
                case "Object" -> "FailedGetObjectMetric";
                case "External" -> "FailedGetExternalMetric";
                case "ContainerResource" -> "FailedGetContainerResourceMetric";
                default -> "InvalidMetricSourceType";
            };
            throw fail(hpa, reason, "unable to get " + type + " metric: only Resource metrics are served by this "
                    + "cluster's metrics API", "failed to get " + type + " metric value");
        }
        String resource = spec.getResource().getName();
        MetricTarget target = spec.getResource().getTarget();
        try {
            PodMetricsSource.PodUsage usage = usage(hpa, selector, resource);
            MetricValueStatus current = new MetricValueStatus();
            ReplicaCalculator.Result result;
            String name;
            if (target != null && target.getAverageValue() != null) {
                result = calculator.averageValue(specReplicas, ReplicaCalculator.milli(target.getAverageValue()),
                        resource, pods, usage.byPod());
                name = resource + " resource";
            } else if (target != null && target.getAverageUtilization() != null) {
                result = calculator.utilization(specReplicas, target.getAverageUtilization(), resource, pods,
                        usage.byPod());
                current.setAverageUtilization(result.utilization());
                name = resource + " resource utilization (percentage of request)";
            } else {
                throw new ReplicaCalculator.Failed("invalid resource metric source: neither an average utilization "
                        + "target nor an average value (usage) target was set");
            }
            current.setAverageValue(MilliQuantities.of(result.averageMilli()));
            status.setType("Resource");
            status.setResource(new ResourceMetricStatus(current, resource));
            return new One(result.replicas(), name);
        } catch (ReplicaCalculator.Failed | PodMetricsSource.MetricsUnavailable e) {
            String kind = target != null && target.getAverageValue() != null ? "usage" : "utilization";
            String cause = "failed to get " + resource + " " + kind + ": " + e.getMessage();
            throw fail(hpa, "FailedGetResourceMetric", cause, "failed to get " + resource
                    + " resource metric value: " + cause);
        }
    }

    private PodMetricsSource.PodUsage usage(HorizontalPodAutoscaler hpa, String selector, String resource)
            throws PodMetricsSource.MetricsUnavailable {
        try {
            return metrics.resourceUsage(hpa.getMetadata().getNamespace(), selector, resource);
        } catch (PodMetricsSource.MetricsUnavailable e) {
            throw new PodMetricsSource.MetricsUnavailable("unable to get metrics for resource " + resource + ": "
                    + e.getMessage());
        }
    }

    private Failure fail(HorizontalPodAutoscaler hpa, String reason, String cause, String error) {
        events.warning(hpa, reason, cause);
        return new Failure(reason, cause, error);
    }
}
