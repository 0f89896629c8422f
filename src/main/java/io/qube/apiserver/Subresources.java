package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.crd.JsonPaths;
import io.qube.apiserver.registry.ScalePaths;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The views some kinds offer besides the object itself: an autoscaling/v1 Scale, and a pod's Binding. */
final class Subresources {

    private Subresources() {
    }

    /**
     * The Scale of a workload or custom resource: its desired replicas, current replicas and selector, read where
     * the kind's scale paths say.
     */
    static ObjectNode scaleOf(ObjectNode object, ScalePaths paths) {
        ObjectNode scale = Json.MAPPER.createObjectNode();
        scale.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        JsonNode source = object.path("metadata");
        for (String field : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            if (source.hasNonNull(field)) {
                metadata.set(field, source.get(field));
            }
        }
        scale.putObject("spec").put("replicas", JsonPaths.read(object, paths.specReplicas()).asInt(0));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", JsonPaths.read(object, paths.statusReplicas()).asInt(0));
        String selector = paths.labelSelector() == null ? ""
                : paths.labelSelector().isEmpty() ? selectorString(object.path("spec").path("selector"))
                : JsonPaths.read(object, paths.labelSelector()).asText("");
        if (!selector.isEmpty()) {
            status.put("selector", selector);
        }
        return scale;
    }

    /**
     * The object with the Scale's replicas; the Scale's resourceVersion, if any, pins the write.
     *
     * @throws ApiException 400 when the Scale has no integer spec.replicas
     */
    static ObjectNode applyScale(ObjectNode object, ObjectNode scale, ScalePaths paths) {
        JsonNode replicas = scale.path("spec").path("replicas");
        if (!replicas.canConvertToInt()) {
            throw ApiException.badRequest("a Scale needs an integer spec.replicas");
        }
        JsonPaths.write(object, paths.specReplicas(), object.numberNode(replicas.asInt()));
        String version = scale.path("metadata").path("resourceVersion").asText("");
        ObjectNode metadata = ObjectRules.metadata(object);
        if (version.isEmpty()) {
            metadata.remove("resourceVersion");
        } else {
            metadata.put("resourceVersion", version);
        }
        return object;
    }

    /** A label selector as text: a workload's LabelSelector, or a replication controller's plain map. */
    static String selectorString(JsonNode selector) {
        List<String> clauses = new ArrayList<>();
        JsonNode matchLabels = selector.has("matchLabels") || selector.has("matchExpressions")
                ? selector.path("matchLabels") : selector;
        matchLabels.fields().forEachRemaining(e -> clauses.add(e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            List<String> values = new ArrayList<>();
            expression.path("values").forEach(v -> values.add(v.asText()));
            switch (expression.path("operator").asText()) {
                case "In" -> clauses.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> clauses.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> clauses.add(key);
                case "DoesNotExist" -> clauses.add("!" + key);
                default -> { }
            }
        }
        return String.join(",", clauses);
    }

    /**
     * Binds a pod to a node: sets spec.nodeName, once.
     *
     * @param binding a Binding whose target.name (the node) has been checked
     * @throws ApiException 409 when the pod is already bound
     */
    static ObjectNode bind(ObjectNode pod, ObjectNode binding) {
        String node = binding.path("target").path("name").asText();
        String name = pod.path("metadata").path("name").asText();
        String current = pod.path("spec").path("nodeName").asText("");
        if (!current.isEmpty()) {
            throw ApiException.conflict("", "pods/binding", name, "pod " + name + " is already assigned to node \""
                    + current + "\"");
        }
        if (ObjectRules.metadata(pod).hasNonNull("deletionTimestamp")) {
            throw ApiException.conflict("", "pods/binding", name, "pod " + name
                    + " is being deleted, cannot be assigned to a host");
        }
        String uid = binding.path("metadata").path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(ObjectRules.metadata(pod).path("uid").asText())) {
            throw ApiException.conflict("", "pods/binding", name, "Precondition failed: UID in precondition: " + uid
                    + ", UID in object meta: " + ObjectRules.metadata(pod).path("uid").asText());
        }
        pod.withObjectProperty("spec").put("nodeName", node);
        scheduledCondition(pod.withObjectProperty("status"));
        JsonNode annotations = binding.path("metadata").path("annotations");
        if (annotations.isObject()) {
            ObjectRules.metadata(pod).withObjectProperty("annotations").setAll((ObjectNode) annotations);
        }
        ObjectRules.metadata(pod).remove("resourceVersion");
        return pod;
    }

    /** PodScheduled=True, as the binding registry sets it: replaces a PodScheduled=False the scheduler wrote. */
    private static void scheduledCondition(ObjectNode status) {
        ArrayNode conditions = status.withArrayProperty("conditions");
        for (int i = conditions.size() - 1; i >= 0; i--) {
            if ("PodScheduled".equals(conditions.get(i).path("type").asText())) {
                conditions.remove(i);
            }
        }
        conditions.addObject().put("type", "PodScheduled").put("status", "True").putNull("lastProbeTime")
                .put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** What Kubernetes answers to a successful binding. */
    static String success(int code) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":" + code
                + "}";
    }
}
