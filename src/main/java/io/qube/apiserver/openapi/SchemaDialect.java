package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;

/**
 * Where Swagger 2.0 and OpenAPI 3.0 schemas differ for Kubernetes: where definitions live, and how the two types that
 * take either a number or a string are written (Swagger 2.0 has no {@code anyOf}).
 */
enum SchemaDialect {
    SWAGGER_2("#/definitions/"),
    OPENAPI_3("#/components/schemas/");

    private final String refPrefix;

    SchemaDialect(String refPrefix) {
        this.refPrefix = refPrefix;
    }

    ObjectNode ref(String definition) {
        return Json.MAPPER.createObjectNode().put("$ref", refPrefix + definition);
    }

    /** e.g. a port (8080 or "http") or maxSurge (1 or "25%"). */
    ObjectNode intOrString() {
        ObjectNode schema = Json.MAPPER.createObjectNode();
        if (this == SWAGGER_2) {
            schema.put("type", "string");
        } else {
            schema.putArray("anyOf").add(type("integer")).add(type("string"));
        }
        return schema.put("format", "int-or-string").put("x-kubernetes-int-or-string", true);
    }

    /** A resource quantity: "500m", "1Gi", or a bare number such as 2. */
    ObjectNode quantity() {
        if (this == SWAGGER_2) {
            return type("string");
        }
        ObjectNode schema = Json.MAPPER.createObjectNode();
        schema.putArray("anyOf").add(type("string")).add(type("number"));
        return schema;
    }

    static ObjectNode type(String type) {
        return Json.MAPPER.createObjectNode().put("type", type);
    }
}
