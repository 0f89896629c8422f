package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.ServedResource;

import java.util.List;

/** The Swagger 2.0 document of the whole API ({@code /openapi/v2}): every group version's paths and definitions. */
final class SwaggerDocument extends OpenApiDocumentBuilder {

    private SwaggerDocument() {
        super(SchemaDialect.SWAGGER_2);
    }

    static ObjectNode of(List<ServedResource> resources) {
        return new SwaggerDocument().build(resources);
    }

    @Override
    ObjectNode versionedDocument() {
        return Json.MAPPER.createObjectNode().put("swagger", "2.0");
    }

    @Override
    void putDefinitions(ObjectNode document, ObjectNode definitions) {
        document.set("definitions", definitions);
    }

    @Override
    void addPathParameter(ArrayNode parameters, String name) {
        parameters.addObject().put("name", name).put("in", "path").put("required", true).put("type", "string")
                .put("uniqueItems", true).put("description", name + " of the object");
    }

    @Override
    ObjectNode query(QueryParameter parameter) {
        return Json.MAPPER.createObjectNode().put("name", parameter.wireName).put("in", "query")
                .put("type", parameter.type).put("uniqueItems", true).put("description", parameter.description);
    }

    @Override
    void putMediaTypes(ObjectNode operation, List<String> requestContentTypes) {
        ArrayNode consumes = operation.putArray("consumes");
        requestContentTypes.forEach(consumes::add);
        operation.putArray("produces").add("application/json");
    }

    /** Swagger 2.0 passes the body as a parameter named {@code body}. */
    @Override
    void putRequestBody(ObjectNode operation, ArrayNode parameters, List<String> contentTypes, ObjectNode schema,
            boolean required) {
        ObjectNode body = parameters.addObject().put("name", "body").put("in", "body");
        if (required) {
            body.put("required", true);
        }
        body.set("schema", schema);
    }

    @Override
    void putResponseSchema(ObjectNode response, ObjectNode schema) {
        response.set("schema", schema);
    }
}
