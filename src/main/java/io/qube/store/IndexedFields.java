package io.qube.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of fields, per resource type, that field selectors may name beyond metadata.name and
 * metadata.namespace. Each is extracted from the object at write time and stored beside it.
 */
public final class IndexedFields {

    /** Concurrent: custom resources' fields change while requests read them. */
    private final Map<ResourceType, Map<String, String[]>> pathsByType = new ConcurrentHashMap<>();

    /** Kubernetes' selectable fields for the built-in kinds that Qube serves. */
    public static IndexedFields kubernetesDefaults() {
        IndexedFields fields = new IndexedFields();
        fields.register(ResourceType.core("pods"), "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
                "status.nominatedNodeName");
        fields.register(ResourceType.core("events"), "involvedObject.kind", "involvedObject.namespace",
                "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent",
                "type");
        fields.registerAlias(ResourceType.core("events"), "source", "source.component");
        fields.register(ResourceType.core("secrets"), "type");
        fields.register(ResourceType.core("nodes"), "spec.unschedulable");
        fields.register(ResourceType.core("namespaces"), "status.phase");
        fields.register(ResourceType.core("replicationcontrollers"), "status.replicas");
        fields.register(new ResourceType("apps", "replicasets"), "status.replicas");
        return fields;
    }

    /** Registers fields whose selector name is their JSON path. */
    public IndexedFields register(ResourceType type, String... fieldPaths) {
        for (String path : fieldPaths) {
            registerAlias(type, path, path);
        }
        return this;
    }

    /** Registers a field whose selector name differs from its JSON path. */
    public IndexedFields registerAlias(ResourceType type, String selectorName, String jsonPath) {
        pathsByType.computeIfAbsent(type, t -> new LinkedHashMap<>()).put(selectorName, jsonPath.split("\\."));
        return this;
    }

    /**
     * Sets the selectable fields of a custom resource (its CRD's {@code selectableFields}, by selector name and
     * JSON path), replacing those it had; objects written before keep the values extracted then.
     */
    public void replace(ResourceType type, Map<String, String> jsonPathBySelector) {
        Map<String, String[]> paths = new LinkedHashMap<>();
        jsonPathBySelector.forEach((selector, path) -> paths.put(selector, path.split("\\.")));
        pathsByType.put(type, Map.copyOf(paths));
    }

    public Set<String> fieldsOf(ResourceType type) {
        return pathsByType.getOrDefault(type, Map.of()).keySet();
    }

    /** The indexed field values of one object; fields the object lacks are left out (selectors read them as ""). */
    public Map<String, String> extract(ResourceType type, JsonNode object) {
        Map<String, String[]> paths = pathsByType.get(type);
        if (paths == null) {
            return Map.of();
        }
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, String[]> entry : paths.entrySet()) {
            JsonNode node = object;
            for (String step : entry.getValue()) {
                node = node.path(step);
            }
            if (node.isValueNode() && !node.isNull()) {
                values.put(entry.getKey(), node.asText());
            }
        }
        return values;
    }

    /** Labels of an object, from metadata.labels. */
    public static Map<String, String> labelsOf(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        if (!labels.isObject() || labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> values = new HashMap<>();
        labels.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }
}
