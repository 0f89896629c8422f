package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks Kubernetes makes of a CRD version's {@code openAPIV3Schema} before serving it: the schema must be
 * structural (every specified field has a type, an object has properties or additionalProperties but not both,
 * arrays have items), and must not use the OpenAPI features Kubernetes refuses.
 */
public final class StructuralSchema {

    private static final List<String> UNSUPPORTED = List.of("$ref", "patternProperties", "definitions",
            "dependencies", "additionalItems", "id");
    private static final List<String> TYPES = List.of("object", "array", "string", "integer", "number", "boolean");

    private StructuralSchema() {
    }

    /** @param path e.g. {@code spec.versions[0].schema.openAPIV3Schema} */
    public static void check(JsonNode root, String path, FieldErrors errors) {
        String type = root.path("type").asText("");
        if (type.isEmpty()) {
            errors.required(path + ".type", "must not be empty at the root");
        } else if (!type.equals("object")) {
            errors.invalid(path + ".type", type, "must be object at the root");
        }
        JsonNode metadata = root.path("properties").path("metadata");
        if (metadata.isObject()) {
            for (Map.Entry<String, JsonNode> field : metadata.properties()) {
                if (!field.getKey().equals("type") && !isNamesOnly(field)) {
                    errors.forbidden(path + ".properties[metadata]", "must not specify anything other than name and "
                            + "generateName, but metadata is implicitly specified");
                    break;
                }
            }
        }
        node(root, path, errors);
    }

    private static boolean isNamesOnly(Map.Entry<String, JsonNode> field) {
        if (!field.getKey().equals("properties")) {
            return false;
        }
        for (Map.Entry<String, JsonNode> property : field.getValue().properties()) {
            if (!property.getKey().equals("name") && !property.getKey().equals("generateName")) {
                return false;
            }
        }
        return true;
    }

    private static void node(JsonNode schema, String path, FieldErrors errors) {
        for (String keyword : UNSUPPORTED) {
            if (schema.has(keyword)) {
                errors.forbidden(path + "." + keyword, keyword + " is not supported");
            }
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !TYPES.contains(type)) {
            errors.notSupported(path + ".type", type, TYPES);
        }
        if (schema.path("uniqueItems").asBoolean(false)) {
            errors.forbidden(path + ".uniqueItems",
                    "uniqueItems cannot be set to true since the runtime complexity becomes quadratic");
        }
        JsonNode preserve = schema.get("x-kubernetes-preserve-unknown-fields");
        if (preserve != null && !preserve.asBoolean(true)) {
            errors.invalid(path + ".x-kubernetes-preserve-unknown-fields", false, "must be true or undefined");
        }
        if (schema.has("pattern")) {
            try {
                Pattern.compile(schema.get("pattern").asText());
            } catch (PatternSyntaxException e) {
                errors.invalid(path + ".pattern", schema.get("pattern").asText(), "must be a valid regular expression");
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && properties.size() > 0
                && (additional.isObject() || additional.isBoolean() && !additional.asBoolean())) {
            errors.forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive");
        }
        if (additional != null && additional.isObject() && schema.path("x-kubernetes-preserve-unknown-fields")
                .asBoolean(false)) {
            errors.forbidden(path + ".additionalProperties",
                    "must be undefined if x-kubernetes-preserve-unknown-fields is true");
        }
        listTypes(schema, path, errors);
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            String child = path + ".properties[" + property.getKey() + "]";
            typed(property.getValue(), child, "must not be empty for specified object fields", errors);
            node(property.getValue(), child, errors);
        }
        if (additional != null && additional.isObject()) {
            typed(additional, path + ".additionalProperties", "must not be empty for specified object fields", errors);
            node(additional, path + ".additionalProperties", errors);
        }
        JsonNode items = schema.get("items");
        if (type.equals("array") && items == null) {
            errors.required(path + ".items", "must be specified");
        }
        if (items != null && items.isArray()) {
            errors.forbidden(path + ".items", "items must be a schema object and not an array");
        } else if (items != null) {
            typed(items, path + ".items", "must not be empty for specified array items", errors);
            node(items, path + ".items", errors);
        }
    }

    /** A specified field needs a type, unless it is int-or-string or keeps unknown fields. */
    private static void typed(JsonNode schema, String path, String detail, FieldErrors errors) {
        boolean free = schema.path("x-kubernetes-int-or-string").asBoolean(false)
                || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.path("type").asText("").isEmpty() && !free) {
            errors.required(path + ".type", detail);
        }
    }

    private static void listTypes(JsonNode schema, String path, FieldErrors errors) {
        String listType = schema.path("x-kubernetes-list-type").asText("");
        JsonNode keys = schema.get("x-kubernetes-list-map-keys");
        if (!listType.isEmpty() && !List.of("atomic", "set", "map").contains(listType)) {
            errors.notSupported(path + ".x-kubernetes-list-type", listType, List.of("atomic", "set", "map"));
        }
        if (keys != null && !keys.isEmpty() && !listType.equals("map")) {
            errors.forbidden(path + ".x-kubernetes-list-map-keys", "must not be set if x-kubernetes-list-type is not map");
        }
        if (listType.equals("map") && (keys == null || keys.isEmpty())) {
            errors.required(path + ".x-kubernetes-list-map-keys",
                    "must not be empty if x-kubernetes-list-type is map");
        }
    }
}
