package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.qube.apiserver.registry.TableColumn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** HorizontalPodAutoscalers, as {@code kubectl get hpa} shows them (from the stored autoscaling/v2 form). */
final class AutoscalerColumns {

    private static final String UNKNOWN = "<unknown>";
    /** Kubernetes shows the first two metrics and counts the rest. */
    private static final int SHOWN_METRICS = 2;

    private AutoscalerColumns() {
    }

    /** NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE. */
    static List<TableColumn<? super HorizontalPodAutoscaler>> columns() {
        return List.of(CommonColumns.name(),
                TableColumn.of("Reference", "string", "scaleTargetRef points to the target resource to scale, and is "
                        + "used to the pods for which metrics should be collected, as well as to actually change the "
                        + "replica count.", (hpa, now) -> spec(hpa).getScaleTargetRef() == null ? "/"
                        : Cells.text(spec(hpa).getScaleTargetRef().getKind()) + "/"
                        + Cells.text(spec(hpa).getScaleTargetRef().getName())),
                TableColumn.of("Targets", "string", "metrics contains the specifications for which to use to "
                        + "calculate the desired replica count.", (hpa, now) -> targets(hpa)),
                TableColumn.of("MinPods", "string", "minReplicas is the lower limit for the number of replicas to "
                        + "which the autoscaler can scale down.", (hpa, now) -> spec(hpa).getMinReplicas() == null
                        ? "<unset>" : spec(hpa).getMinReplicas().toString()),
                TableColumn.of("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to "
                        + "which the autoscaler can scale up.", (hpa, now) -> (long) Cells.number(
                        spec(hpa).getMaxReplicas())),
                TableColumn.of("Replicas", "string", "currentReplicas is current number of replicas of pods managed "
                        + "by this autoscaler, as last seen by the autoscaler.", (hpa, now) -> (long) Cells.number(
                        status(hpa).getCurrentReplicas())),
                CommonColumns.age());
    }

    /** Each metric as current/target, the current value from the status entry at the same index. */
    private static String targets(HorizontalPodAutoscaler hpa) {
        List<MetricSpec> metrics = Cells.list(spec(hpa).getMetrics());
        if (metrics.isEmpty()) {
            return Cells.NONE;
        }
        List<MetricStatus> statuses = Cells.list(status(hpa).getCurrentMetrics());
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < metrics.size() && i < SHOWN_METRICS; i++) {
            MetricStatus status = i < statuses.size() ? statuses.get(i) : null;
            shown.add(target(metrics.get(i), status));
        }
        String text = String.join(", ", shown);
        return metrics.size() > SHOWN_METRICS ? text + " + " + (metrics.size() - SHOWN_METRICS) + " more..." : text;
    }

    private static String target(MetricSpec metric, MetricStatus status) {
        String type = Cells.text(metric.getType());
        return switch (type) {
            case "Resource" -> metric.getResource() == null ? UNKNOWN : metric.getResource().getName() + ": "
                    + resource(metric.getResource().getTarget(), status == null || status.getResource() == null
                    ? null : status.getResource().getCurrent());
            case "ContainerResource" -> metric.getContainerResource() == null ? UNKNOWN
                    : metric.getContainerResource().getName() + ": " + resource(
                    metric.getContainerResource().getTarget(), status == null
                            || status.getContainerResource() == null ? null
                            : status.getContainerResource().getCurrent());
            case "Pods" -> metric.getPods() == null ? UNKNOWN : current(status, s -> s.getPods() == null ? null
                    : s.getPods().getCurrent(), MetricValueStatus::getAverageValue) + "/"
                    + quantity(metric.getPods().getTarget().getAverageValue());
            case "Object" -> metric.getObject() == null ? UNKNOWN : valueOrAverage(metric.getObject().getTarget(),
                    status == null || status.getObject() == null ? null : status.getObject().getCurrent());
            case "External" -> metric.getExternal() == null ? UNKNOWN : valueOrAverage(
                    metric.getExternal().getTarget(), status == null || status.getExternal() == null ? null
                            : status.getExternal().getCurrent());
            default -> "<unknown type>";
        };
    }

    /** A resource metric: an average value, or an average utilization in percent. */
    private static String resource(MetricTarget target, MetricValueStatus current) {
        if (target != null && target.getAverageValue() != null) {
            return (current == null || current.getAverageValue() == null ? UNKNOWN
                    : quantity(current.getAverageValue())) + "/" + quantity(target.getAverageValue());
        }
        String now = current == null || current.getAverageUtilization() == null ? UNKNOWN
                : current.getAverageUtilization() + "%";
        String wanted = target == null || target.getAverageUtilization() == null ? "<auto>"
                : target.getAverageUtilization() + "%";
        return now + "/" + wanted;
    }

    private static String valueOrAverage(MetricTarget target, MetricValueStatus current) {
        if (target != null && target.getAverageValue() != null) {
            return (current == null || current.getAverageValue() == null ? UNKNOWN
                    : quantity(current.getAverageValue())) + "/" + quantity(target.getAverageValue()) + " (avg)";
        }
        return (current == null || current.getValue() == null ? UNKNOWN : quantity(current.getValue())) + "/"
                + (target == null ? "" : quantity(target.getValue()));
    }

    private static String current(MetricStatus status, Function<MetricStatus, MetricValueStatus> source,
                                  Function<MetricValueStatus, Quantity> value) {
        MetricValueStatus current = status == null ? null : source.apply(status);
        return current == null || value.apply(current) == null ? UNKNOWN : quantity(value.apply(current));
    }

    private static String quantity(Quantity quantity) {
        return quantity == null ? "0" : quantity.toString();
    }

    private static HorizontalPodAutoscalerSpec spec(HorizontalPodAutoscaler hpa) {
        return hpa.getSpec() == null ? new HorizontalPodAutoscalerSpec() : hpa.getSpec();
    }

    private static HorizontalPodAutoscalerStatus status(HorizontalPodAutoscaler hpa) {
        return hpa.getStatus() == null ? new HorizontalPodAutoscalerStatus() : hpa.getStatus();
    }
}
