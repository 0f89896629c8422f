package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.ServedResource;
import io.qube.apiserver.discovery.ServerVersion;

import java.util.List;

/**
 * The OpenAPI 3.0 document of one group version ({@code /openapi/v3/apis/apps/v1}). kubectl reads it to explain
 * fields, to decide it may send {@code fieldValidation=Strict} (the kind's PATCH must list that parameter), and to
 * compute apply's strategic merge patches from the schemas' patch extensions.
 */
final class OpenApiV3Document {

    private final SchemaGenerator schemas = new SchemaGenerator(SchemaDialect.OPENAPI_3);

    private OpenApiV3Document() {
    }

    static ObjectNode of(List<ServedResource> groupVersionResources) {
        return new OpenApiV3Document().build(groupVersionResources);
    }

    private ObjectNode build(List<ServedResource> resources) {
        ObjectNode document = Json.MAPPER.createObjectNode().put("openapi", "3.0.0");
        document.putObject("info").put("title", "Kubernetes").put("version", ServerVersion.current().gitVersion());
        ObjectNode paths = document.putObject("paths");
        for (ServedResource served : resources) {
            for (PathItem item : ResourcePaths.of(served)) {
                paths.set(item.path(), pathItem(item));
            }
        }
        document.putObject("components").set("schemas", schemas.definitions());
        return document;
    }

    private ObjectNode pathItem(PathItem item) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (Operation operation : item.operations()) {
            node.set(operation.method(), operation(operation));
        }
        ArrayNode parameters = node.putArray("parameters");
        for (String name : item.pathParameters()) {
            ObjectNode parameter = parameters.addObject().put("name", name).put("in", "path")
                    .put("description", name + " of the object").put("required", true);
            parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
        }
        parameters.add(query(QueryParameter.PRETTY));
        return node;
    }

    private ObjectNode operation(Operation operation) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("operationId", operation.operationId());
        ArrayNode parameters = node.putArray("parameters");
        operation.parameters().forEach(parameter -> parameters.add(query(parameter)));
        switch (operation.body()) {
            case OBJECT -> requestBody(node, List.of("*/*"), schemas.ref(operation.bodyType())).put("required", true);
            case PATCH -> requestBody(node, Operation.PATCH_TYPES, schemas.patchRef()).put("required", true);
            case DELETE_OPTIONS -> requestBody(node, List.of("*/*"), schemas.ref(operation.bodyType()));
            case NONE -> { }
        }
        ObjectNode responses = node.putObject("responses");
        for (String code : operation.successCodes()) {
            responses.putObject(code).put("description", "OK").putObject("content")
                    .putObject("application/json").set("schema", schemas.ref(operation.responseType()));
        }
        node.put("x-kubernetes-action", operation.action());
        node.set("x-kubernetes-group-version-kind", Json.MAPPER.valueToTree(operation.gvk()));
        return node;
    }

    private static ObjectNode requestBody(ObjectNode operation, List<String> contentTypes, ObjectNode schema) {
        ObjectNode body = operation.putObject("requestBody");
        ObjectNode content = body.putObject("content");
        for (String contentType : contentTypes) {
            content.putObject(contentType).set("schema", schema);
        }
        return body;
    }

    private static ObjectNode query(QueryParameter parameter) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("name", parameter.wireName).put("in", "query")
                .put("description", parameter.description);
        node.putObject("schema").put("type", parameter.type).put("uniqueItems", true);
        return node;
    }
}
