package io.qube.apiserver.conversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.VersionConversion;

import java.util.List;

/**
 * autoscaling/v1 HorizontalPodAutoscalers over the stored autoscaling/v2 ones, as Kubernetes converts them: v1's
 * targetCPUUtilizationPercentage is v2's CPU utilization metric (and currentCPUUtilizationPercentage its current
 * value); what v1 cannot say (other metrics, behavior, conditions, other current metrics) travels in v1 as the
 * alpha annotations Kubernetes uses, so that a v1 client's update keeps it.
 */
public final class AutoscalingV1 implements VersionConversion {

    static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
    static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
    static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

    @Override
    public ObjectNode toStored(ObjectNode served) {
        ObjectNode stored = served.deepCopy();
        stored.put("apiVersion", "autoscaling/v2");
        ObjectNode annotations = stored.path("metadata").path("annotations") instanceof ObjectNode a ? a : null;
        if (stored.path("spec") instanceof ObjectNode spec) {
            ArrayNode metrics = Json.MAPPER.createArrayNode();
            JsonNode cpu = spec.remove("targetCPUUtilizationPercentage");
            if (cpu != null && !cpu.isNull()) {
                metrics.add(cpuMetric("target", cpu));
            }
            metrics.addAll(annotated(annotations, METRICS));
            if (!metrics.isEmpty()) {
                spec.set("metrics", metrics);
            }
            JsonNode behavior = annotation(annotations, BEHAVIOR);
            if (behavior != null) {
                spec.set("behavior", behavior);
            }
        }
        if (stored.path("status") instanceof ObjectNode status) {
            ArrayNode current = Json.MAPPER.createArrayNode();
            JsonNode cpu = status.remove("currentCPUUtilizationPercentage");
            if (cpu != null && !cpu.isNull()) {
                current.add(cpuMetric("current", cpu));
            }
            current.addAll(annotated(annotations, CURRENT_METRICS));
            if (!current.isEmpty()) {
                status.set("currentMetrics", current);
            }
            ArrayNode conditions = annotated(annotations, CONDITIONS);
            if (!conditions.isEmpty()) {
                status.set("conditions", conditions);
            }
        }
        if (annotations != null) {
            annotations.remove(List.of(METRICS, CURRENT_METRICS, BEHAVIOR, CONDITIONS));
            if (annotations.isEmpty()) {
                ((ObjectNode) stored.path("metadata")).remove("annotations");
            }
        }
        return stored;
    }

    @Override
    public ObjectNode toServed(ObjectNode stored) {
        ObjectNode served = stored.deepCopy();
        served.put("apiVersion", "autoscaling/v1");
        if (served.path("spec") instanceof ObjectNode spec) {
            JsonNode metrics = spec.remove("metrics");
            ArrayNode others = Json.MAPPER.createArrayNode();
            for (JsonNode metric : metrics == null ? Json.MAPPER.createArrayNode() : metrics) {
                JsonNode utilization = cpuUtilization(metric, "target");
                if (utilization != null && !spec.has("targetCPUUtilizationPercentage")) {
                    spec.set("targetCPUUtilizationPercentage", utilization);
                } else {
                    others.add(metric);
                }
            }
            annotate(served, METRICS, others);
            JsonNode behavior = spec.remove("behavior");
            if (behavior != null && !behavior.isNull()) {
                annotate(served, BEHAVIOR, behavior);
            }
        }
        if (served.path("status") instanceof ObjectNode status) {
            JsonNode current = status.remove("currentMetrics");
            ArrayNode others = Json.MAPPER.createArrayNode();
            for (JsonNode metric : current == null ? Json.MAPPER.createArrayNode() : current) {
                JsonNode utilization = cpuUtilization(metric, "current");
                if (utilization != null && !status.has("currentCPUUtilizationPercentage")) {
                    status.set("currentCPUUtilizationPercentage", utilization);
                } else {
                    others.add(metric);
                }
            }
            annotate(served, CURRENT_METRICS, others);
            JsonNode conditions = status.remove("conditions");
            if (conditions instanceof ArrayNode list) {
                annotate(served, CONDITIONS, list);
            }
            if (!status.has("currentReplicas")) {
                status.put("currentReplicas", 0); // a required int in v1, as Kubernetes shows it
            }
            if (!status.has("desiredReplicas")) {
                status.put("desiredReplicas", 0);
            }
        }
        return served;
    }

    /** A v2 Resource metric on CPU utilization: {@code target} (spec) or {@code current} (status). */
    private static ObjectNode cpuMetric(String field, JsonNode percent) {
        ObjectNode metric = Json.MAPPER.createObjectNode().put("type", "Resource");
        ObjectNode resource = metric.putObject("resource").put("name", "cpu");
        ObjectNode value = resource.putObject(field);
        if (field.equals("target")) {
            value.put("type", "Utilization");
        }
        value.set("averageUtilization", percent);
        return metric;
    }

    /** The utilization of a CPU Resource metric, if it is one. */
    private static JsonNode cpuUtilization(JsonNode metric, String field) {
        JsonNode resource = metric.path("resource");
        if (!metric.path("type").asText().equals("Resource") || !resource.path("name").asText().equals("cpu")) {
            return null;
        }
        JsonNode value = resource.path(field);
        if (field.equals("target") && !value.path("type").asText().equals("Utilization")) {
            return null;
        }
        JsonNode utilization = value.get("averageUtilization");
        return utilization == null || utilization.isNull() ? null : utilization;
    }

    private static ArrayNode annotated(ObjectNode annotations, String key) {
        JsonNode value = annotation(annotations, key);
        return value instanceof ArrayNode list ? list : Json.MAPPER.createArrayNode();
    }

    private static JsonNode annotation(ObjectNode annotations, String key) {
        if (annotations == null || !annotations.path(key).isTextual()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(annotations.path(key).asText());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("metadata.annotations[" + key + "] is not JSON: " + e.getOriginalMessage());
        }
    }

    private static void annotate(ObjectNode object, String key, JsonNode value) {
        if (value instanceof ArrayNode list && list.isEmpty()) {
            return;
        }
        object.withObjectProperty("metadata").withObjectProperty("annotations").put(key, value.toString());
    }
}
