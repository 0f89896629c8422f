package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a custom resource against its version's structural schema (an {@code openAPIV3Schema} as JSON), reporting
 * each problem with Kubernetes' field path and message, e.g. {@code spec.replicas: Invalid value: "string":
 * spec.replicas in body must be of type integer: "string"}. The root's apiVersion, kind and metadata are left to the
 * checks every kind gets.
 */
public final class SchemaValidation {

    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private SchemaValidation() {
    }

    /** Validates a whole object: every top-level field but apiVersion, kind and metadata. */
    public static void validateObject(JsonNode object, JsonNode schema, FieldErrors errors) {
        for (String required : strings(schema.path("required"))) {
            if (!ROOT_FIELDS.contains(required) && isAbsent(object.get(required))) {
                errors.required(required, "");
            }
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            JsonNode property = schema.path("properties").get(field.getKey());
            if (!ROOT_FIELDS.contains(field.getKey()) && property != null) {
                validate(field.getValue(), property, field.getKey(), errors);
            }
        }
    }

    /** Validates one value at {@code path} against its schema. */
    public static void validate(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false) && !schema.path("type").asText("").isEmpty()) {
                errors.invalid(path, "null", path + " in body must be of type " + schema.path("type").asText()
                        + ": \"null\"");
            }
            return;
        }
        if (!hasType(value, schema, path, errors)) {
            return;
        }
        enumeration(value, schema, path, errors);
        if (value.isTextual()) {
            string(value.asText(), schema, path, errors);
        } else if (value.isNumber()) {
            number(value, schema, path, errors);
        } else if (value.isArray()) {
            array(value, schema, path, errors);
        } else if (value.isObject()) {
            object(value, schema, path, errors);
        }
    }

    private static boolean hasType(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        String type = schema.path("type").asText("");
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (value.isTextual() || value.isIntegralNumber()) {
                return true;
            }
            errors.invalid(path, typeName(value), path + " in body must be of type integer,string: \""
                    + typeName(value) + "\"");
            return false;
        }
        boolean matches = switch (type) {
            case "" -> true;
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "integer" -> value.isIntegralNumber()
                    || value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0;
            case "number" -> value.isNumber();
            default -> true;
        };
        if (!matches) {
            errors.invalid(path, typeName(value), path + " in body must be of type " + type + ": \""
                    + typeName(value) + "\"");
        }
        return matches;
    }

    /** The JSON type's name, as Kubernetes' messages name the value it did not expect. */
    private static String typeName(JsonNode value) {
        if (value.isTextual()) {
            return "string";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isArray()) {
            return "array";
        }
        return value.isObject() ? "object" : "null";
    }

    private static void enumeration(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        JsonNode allowed = schema.get("enum");
        if (allowed == null || !allowed.isArray()) {
            return;
        }
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value) || candidate.isNumber() && value.isNumber()
                    && candidate.decimalValue().compareTo(value.decimalValue()) == 0) {
                return;
            }
        }
        List<String> names = new ArrayList<>();
        allowed.forEach(candidate -> names.add(candidate.isTextual() ? candidate.asText() : candidate.toString()));
        errors.notSupported(path, value.isTextual() ? value.asText() : value.toString(), names);
    }

    private static void string(String text, JsonNode schema, String path, FieldErrors errors) {
        int length = text.codePointCount(0, text.length());
        if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
            errors.tooLong(path, schema.get("maxLength").asInt());
        }
        if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
            errors.invalid(path, text, path + " in body should be at least " + schema.get("minLength").asInt()
                    + " chars long");
        }
        if (schema.has("pattern")) {
            String pattern = schema.get("pattern").asText();
            if (!matches(pattern, text)) {
                errors.invalid(path, text, path + " in body should match '" + pattern + "'");
            }
        }
        String format = schema.path("format").asText("");
        if (!format.isEmpty() && !hasFormat(format, text)) {
            errors.invalid(path, text, path + " in body must be of type " + format + ": \"" + text + "\"");
        }
    }

    private static boolean matches(String pattern, String text) {
        try {
            return Pattern.compile(pattern).matcher(text).find();
        } catch (PatternSyntaxException e) {
            return true; // refused when the CRD was written; a stored one that slipped through checks nothing
        }
    }

    /** The formats Kubernetes checks; others (and unknown ones) are not checked, as Kubernetes ignores them too. */
    static boolean hasFormat(String format, String text) {
        try {
            switch (format) {
                case "date-time", "datetime" -> OffsetDateTime.parse(text);
                case "date" -> LocalDate.parse(text);
                case "byte" -> Base64.getDecoder().decode(text);
                case "uuid" -> {
                    return text.length() == 36 && UUID.fromString(text) != null;
                }
                case "int32" -> Integer.parseInt(text);
                case "int64" -> Long.parseLong(text);
                case "ipv4" -> {
                    return text.matches("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
                }
                case "email" -> {
                    return text.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
                }
                default -> {
                    return true;
                }
            }
            return true;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void number(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        BigDecimal number = value.decimalValue();
        Object shown = value.isIntegralNumber() ? (Object) value.asLong() : (Object) value.asDouble();
        if (schema.has("minimum")) {
            BigDecimal minimum = schema.get("minimum").decimalValue();
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            int compared = number.compareTo(minimum);
            if (compared < 0 || exclusive && compared == 0) {
                errors.invalid(path, shown, path + " in body should be greater than " + (exclusive ? "" : "or equal to ")
                        + plain(minimum));
            }
        }
        if (schema.has("maximum")) {
            BigDecimal maximum = schema.get("maximum").decimalValue();
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            int compared = number.compareTo(maximum);
            if (compared > 0 || exclusive && compared == 0) {
                errors.invalid(path, shown, path + " in body should be less than " + (exclusive ? "" : "or equal to ")
                        + plain(maximum));
            }
        }
        if (schema.has("multipleOf")) {
            BigDecimal factor = schema.get("multipleOf").decimalValue();
            if (factor.signum() != 0 && number.remainder(factor).signum() != 0) {
                errors.invalid(path, shown, path + " in body should be a multiple of " + plain(factor));
            }
        }
        String format = schema.path("format").asText("");
        if (format.equals("int32") && (number.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0
                || number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0)) {
            errors.invalid(path, shown, path + " in body must be of type int32: \"" + shown + "\"");
        }
    }

    private static String plain(BigDecimal number) {
        return number.stripTrailingZeros().toPlainString();
    }

    private static void array(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        int size = value.size();
        if (schema.has("maxItems") && size > schema.get("maxItems").asInt()) {
            errors.tooMany(path, size, schema.get("maxItems").asInt());
        }
        if (schema.has("minItems") && size < schema.get("minItems").asInt()) {
            errors.invalid(path, size, path + " in body should have at least " + schema.get("minItems").asInt()
                    + " items");
        }
        JsonNode items = schema.get("items");
        if (items != null && items.isObject()) {
            for (int i = 0; i < size; i++) {
                validate(value.get(i), items, path + "[" + i + "]", errors);
            }
        }
        listType(value, schema, path, errors);
    }

    /** {@code x-kubernetes-list-type}: a set's items, or a map's items' keys, must be unique. */
    private static void listType(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        String listType = schema.path("x-kubernetes-list-type").asText("");
        List<String> keys = strings(schema.path("x-kubernetes-list-map-keys"));
        Set<JsonNode> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            JsonNode identity = item;
            if (listType.equals("map") && item.isObject()) {
                ObjectNode key = ((ObjectNode) item).objectNode();
                keys.forEach(k -> key.set(k, item.path(k).isMissingNode() ? null : item.get(k)));
                identity = key;
            } else if (!listType.equals("set")) {
                return;
            }
            if (!seen.add(identity)) {
                errors.duplicate(path + "[" + i + "]", identity.isTextual() ? identity.asText() : identity);
            }
        }
    }

    private static void object(JsonNode value, JsonNode schema, String path, FieldErrors errors) {
        if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            for (String field : List.of("apiVersion", "kind")) {
                if (value.path(field).asText("").isEmpty()) {
                    errors.required(path + "." + field, "must not be empty");
                }
            }
        }
        for (String required : strings(schema.path("required"))) {
            if (isAbsent(value.get(required))) {
                errors.required(path + "." + required, "");
            }
        }
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            JsonNode property = fieldSchema(schema, field.getKey());
            if (property != null) {
                validate(field.getValue(), property, path + "." + field.getKey(), errors);
            }
        }
        if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
            errors.tooMany(path, value.size(), schema.get("maxProperties").asInt());
        }
        if (schema.has("minProperties") && value.size() < schema.get("minProperties").asInt()) {
            errors.invalid(path, value.size(), path + " in body should have at least "
                    + schema.get("minProperties").asInt() + " properties");
        }
    }

    /** The schema of an object's field: its property's, else additionalProperties' (a map's), else null. */
    static JsonNode fieldSchema(JsonNode schema, String field) {
        JsonNode property = schema.path("properties").get(field);
        JsonNode additional = schema.get("additionalProperties");
        return property == null && additional != null && additional.isObject() ? additional : property;
    }

    private static boolean isAbsent(JsonNode value) {
        return value == null || value.isMissingNode();
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(item -> values.add(item.asText()));
        return values;
    }
}
