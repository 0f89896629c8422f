package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Kubernetes does to a custom resource before validating it: fields its structural schema does not specify are
 * dropped (unless {@code x-kubernetes-preserve-unknown-fields} keeps them), then absent fields with a
 * {@code default} get it.
 */
public final class SchemaPruning {

    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private SchemaPruning() {
    }

    /** Drops unknown fields from the whole object; returns their paths (e.g. {@code spec.colour}). */
    public static List<String> prune(ObjectNode object, JsonNode schema) {
        List<String> pruned = new ArrayList<>();
        pruneObject(object, schema, "", ROOT_FIELDS, pruned);
        return pruned;
    }

    private static void prune(JsonNode value, JsonNode schema, String path, List<String> pruned) {
        if (value instanceof ObjectNode object) {
            Set<String> kept = schema.path("x-kubernetes-embedded-resource").asBoolean(false) ? ROOT_FIELDS : Set.of();
            pruneObject(object, schema, path, kept, pruned);
        } else if (value.isArray() && schema.get("items") != null) {
            for (int i = 0; i < value.size(); i++) {
                prune(value.get(i), schema.get("items"), path + "[" + i + "]", pruned);
            }
        }
    }

    private static void pruneObject(ObjectNode object, JsonNode schema, String path, Set<String> kept,
                                    List<String> pruned) {
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode additional = schema.get("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            JsonNode property = SchemaValidation.fieldSchema(schema, name);
            if (property != null) {
                prune(field.getValue(), property, fieldPath, pruned);
            } else if (!kept.contains(name) && !preserve && !(additional != null && additional.asBoolean(false))) {
                fields.remove();
                pruned.add(fieldPath);
            }
        }
    }

    /** Sets every absent field that has a default, from the root down. */
    public static void applyDefaults(JsonNode value, JsonNode schema) {
        if (value instanceof ObjectNode object) {
            JsonNode properties = schema.path("properties");
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                JsonNode current = object.get(property.getKey());
                JsonNode fallback = property.getValue().get("default");
                boolean nullable = property.getValue().path("nullable").asBoolean(false);
                if (fallback != null && (current == null || current.isNull() && !nullable)) {
                    object.set(property.getKey(), fallback.deepCopy());
                }
            }
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode property = SchemaValidation.fieldSchema(schema, field.getKey());
                if (property != null) {
                    applyDefaults(field.getValue(), property);
                }
            }
        } else if (value.isArray() && schema.get("items") != null) {
            value.forEach(item -> applyDefaults(item, schema.get("items")));
        }
    }
}
