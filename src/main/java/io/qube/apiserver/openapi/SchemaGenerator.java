package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import io.qube.apiserver.patch.PatchMetadata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.GroupVersionKind;
import io.qube.apiserver.registry.ResourceDefinition;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates the schema definitions of one OpenAPI document from fabric8 model classes, through the same Jackson
 * introspection that (de)serialises them, so the schema names exactly the JSON properties the API reads and writes.
 * A class becomes a named definition the first time it is reached; references to it (recursive ones included) are
 * {@code $ref}s. Only what a document's operations reach is defined.
 */
final class SchemaGenerator {

    // Generic descriptions for the fields every top-level object has; fabric8's classes carry no documentation.
    private static final Map<String, String> OBJECT_FIELDS = Map.of(
            "apiVersion", "The versioned schema of this representation of the object, e.g. v1 or apps/v1.",
            "kind", "The kind of the object (CamelCase), e.g. Pod.",
            "metadata", "Standard object metadata: name, namespace, labels, annotations and server-maintained fields.",
            "spec", "The desired state of the object.",
            "status", "The most recently observed state of the object, maintained by the system.");
    // fabric8 models most Kubernetes timestamps (meta/v1 Time) as plain strings; these names mark them.
    private static final Set<String> TIMESTAMP_NAMES = Set.of("time", "timeAdded", "startedAt", "finishedAt");

    private final SchemaDialect dialect;
    private final Map<String, ObjectNode> definitions = new TreeMap<>();

    SchemaGenerator(SchemaDialect dialect) {
        this.dialect = dialect;
    }

    /** A reference to the definition of {@code type}, defining it and everything it reaches on first use. */
    ObjectNode ref(Class<?> type) {
        return dialect.ref(define(type));
    }

    /**
     * Defines a custom resource's kind from its CRD version's schema, named as Kubernetes names it (reversed group,
     * version, kind: {@code com.example.v1.Widget}), with apiVersion, kind and the standard metadata added.
     */
    ObjectNode refCustom(ResourceDefinition<?> custom) {
        List<String> parts = new ArrayList<>(List.of(custom.group().split("\\.")));
        Collections.reverse(parts);
        String name = String.join(".", parts) + "." + custom.version() + "." + custom.kind();
        ObjectNode definition = custom.openApiSchema() == null ? SchemaDialect.type("object")
                : custom.openApiSchema().deepCopy();
        ObjectNode properties = definition.withObjectProperty("properties");
        properties.set("apiVersion", SchemaDialect.type("string").put("description", OBJECT_FIELDS.get("apiVersion")));
        properties.set("kind", SchemaDialect.type("string").put("description", OBJECT_FIELDS.get("kind")));
        properties.set("metadata", ref(ObjectMeta.class));
        definition.putArray("x-kubernetes-group-version-kind").addObject()
                .put("group", custom.group()).put("kind", custom.kind()).put("version", custom.version());
        definitions.put(name, definition);
        return dialect.ref(name);
    }

    /** A reference to the PATCH body's definition: any object, as its Content-Type says. */
    ObjectNode patchRef() {
        definitions.computeIfAbsent(DefinitionNames.PATCH, name -> SchemaDialect.type("object")
                .put("description", "A patch in the format its Content-Type names: JSON patch, merge patch, "
                        + "strategic merge patch or apply configuration."));
        return dialect.ref(DefinitionNames.PATCH);
    }

    /** Every definition reached so far, by name. */
    ObjectNode definitions() {
        ObjectNode all = Json.MAPPER.createObjectNode();
        definitions.forEach(all::set);
        return all;
    }

    private String define(Class<?> type) {
        String name = DefinitionNames.of(type);
        if (!definitions.containsKey(name)) {
            ObjectNode definition = Json.MAPPER.createObjectNode();
            definitions.put(name, definition); // before the properties: a type may reach itself
            if (type == IntOrString.class) {
                definition.setAll(dialect.intOrString());
            } else if (type == Quantity.class) {
                definition.setAll(dialect.quantity());
            } else {
                describeObject(type, definition);
            }
        }
        return name;
    }

    private void describeObject(Class<?> type, ObjectNode definition) {
        GroupVersionKind kind = topLevelKind(type);
        if (kind != null) {
            definition.put("description", kind.kind() + " (" + (kind.group().isEmpty() ? "" : kind.group() + "/")
                    + kind.version() + "). Qube generates this schema from its model classes, which carry no field "
                    + "documentation.");
        }
        definition.put("type", "object");
        ObjectNode properties = Json.MAPPER.createObjectNode();
        BeanDescription bean = Json.MAPPER.getSerializationConfig().introspect(Json.MAPPER.constructType(type));
        for (BeanPropertyDefinition property : bean.findProperties()) {
            if (property.couldSerialize()) {
                ObjectNode schema = property(type, property.getName(), property.getPrimaryType());
                if (kind != null && OBJECT_FIELDS.containsKey(property.getName())) {
                    schema.put("description", OBJECT_FIELDS.get(property.getName()));
                }
                properties.set(property.getName(), schema);
            }
        }
        if (!properties.isEmpty()) {
            definition.set("properties", properties);
        }
        if (kind != null) {
            // An array: Kubernetes lists every kind a schema serves, and kubectl finds a kind's schema in it.
            definition.putArray("x-kubernetes-group-version-kind").addObject()
                    .put("group", kind.group()).put("kind", kind.kind()).put("version", kind.version());
        }
    }

    /** The kind of a top-level object or list class (fabric8 marks those with their API version), else null. */
    private static GroupVersionKind topLevelKind(Class<?> type) {
        Version version = type.getAnnotation(Version.class);
        if (version == null) {
            return null;
        }
        Group group = type.getAnnotation(Group.class);
        return new GroupVersionKind(group == null ? "" : group.value(), version.value(), type.getSimpleName());
    }

    private ObjectNode property(Class<?> owner, String name, JavaType type) {
        ObjectNode schema = schema(type);
        if (type.getRawClass() == String.class && isTimestamp(name)) {
            schema.put("format", "date-time");
        }
        PatchMetadata.of(owner, name).ifPresent(strategy -> {
            schema.put("x-kubernetes-patch-strategy", strategy.strategy());
            if (strategy.mergeKey() != null) {
                schema.put("x-kubernetes-patch-merge-key", strategy.mergeKey());
            }
        });
        return schema;
    }

    private ObjectNode schema(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (type.isArrayType() || type.isCollectionLikeType()) {
            ObjectNode array = SchemaDialect.type("array");
            array.set("items", schema(type.getContentType()));
            return array;
        }
        if (type.isMapLikeType()) {
            ObjectNode map = SchemaDialect.type("object");
            map.set("additionalProperties", schema(type.getContentType()));
            return map;
        }
        if (raw == String.class || raw == char.class || raw == Character.class) {
            return SchemaDialect.type("string");
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return SchemaDialect.type("boolean");
        }
        if (raw == int.class || raw == Integer.class || raw == short.class || raw == Short.class
                || raw == byte.class || raw == Byte.class) {
            return SchemaDialect.type("integer").put("format", "int32");
        }
        if (raw == long.class || raw == Long.class) {
            return SchemaDialect.type("integer").put("format", "int64");
        }
        if (raw == BigInteger.class) {
            return SchemaDialect.type("integer");
        }
        if (raw == float.class || raw == Float.class || raw == double.class || raw == Double.class
                || raw == BigDecimal.class) {
            return SchemaDialect.type("number").put("format", "double");
        }
        if (raw == MicroTime.class || TemporalAccessor.class.isAssignableFrom(raw)) {
            return SchemaDialect.type("string").put("format", "date-time");
        }
        if (raw.isEnum()) {
            return enumeration(raw);
        }
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
            return SchemaDialect.type("object"); // free-form JSON
        }
        return ref(raw);
    }

    /** An enum as the strings Jackson writes for its constants. */
    private static ObjectNode enumeration(Class<?> type) {
        ObjectNode schema = SchemaDialect.type("string");
        ArrayNode values = schema.putArray("enum");
        for (Object constant : type.getEnumConstants()) {
            values.add(Json.MAPPER.valueToTree(constant).asText());
        }
        return schema;
    }

    private static boolean isTimestamp(String name) {
        return name.endsWith("Time") || name.endsWith("Timestamp") || TIMESTAMP_NAMES.contains(name);
    }
}
