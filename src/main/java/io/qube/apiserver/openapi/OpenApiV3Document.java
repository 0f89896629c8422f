package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.ServedResource;

import java.util.List;

/**
 * The OpenAPI 3.0 document of one group version ({@code /openapi/v3/apis/apps/v1}). kubectl reads it to explain
 * fields, to decide it may send {@code fieldValidation=Strict} (the kind's PATCH must list that parameter), and to
 * compute apply's strategic merge patches from the schemas' patch extensions.
 */
final class OpenApiV3Document extends OpenApiDocumentBuilder {

    private OpenApiV3Document() {
        super(SchemaDialect.OPENAPI_3);
    }

    static ObjectNode of(List<ServedResource> groupVersionResources) {
        return new OpenApiV3Document().build(groupVersionResources);
    }

    @Override
    ObjectNode versionedDocument() {
        return Json.MAPPER.createObjectNode().put("openapi", "3.0.0");
    }

    @Override
    void putDefinitions(ObjectNode document, ObjectNode definitions) {
        document.putObject("components").set("schemas", definitions);
    }

    @Override
    void addPathParameter(ArrayNode parameters, String name) {
        ObjectNode parameter = parameters.addObject().put("name", name).put("in", "path")
                .put("description", name + " of the object").put("required", true);
        parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
    }

    @Override
    ObjectNode query(QueryParameter parameter) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("name", parameter.wireName).put("in", "query")
                .put("description", parameter.description);
        node.putObject("schema").put("type", parameter.type).put("uniqueItems", true);
        return node;
    }

    /** OpenAPI 3.0 names content types per request body and response instead. */
    @Override
    void putMediaTypes(ObjectNode operation, List<String> requestContentTypes) {
    }

    @Override
    void putRequestBody(ObjectNode operation, ArrayNode parameters, List<String> contentTypes, ObjectNode schema,
            boolean required) {
        ObjectNode body = operation.putObject("requestBody");
        ObjectNode content = body.putObject("content");
        for (String contentType : contentTypes) {
            content.putObject(contentType).set("schema", schema);
        }
        if (required) {
            body.put("required", true);
        }
    }

    @Override
    void putResponseSchema(ObjectNode response, ObjectNode schema) {
        response.putObject("content").putObject("application/json").set("schema", schema);
    }
}
