package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.ServedResource;
import io.qube.apiserver.discovery.ServerVersion;

import java.util.List;

/** The Swagger 2.0 document of the whole API ({@code /openapi/v2}): every group version's paths and definitions. */
final class SwaggerDocument {

    private final SchemaGenerator schemas = new SchemaGenerator(SchemaDialect.SWAGGER_2);

    private SwaggerDocument() {
    }

    static ObjectNode of(List<ServedResource> resources) {
        return new SwaggerDocument().build(resources);
    }

    private ObjectNode build(List<ServedResource> resources) {
        ObjectNode document = Json.MAPPER.createObjectNode().put("swagger", "2.0");
        document.putObject("info").put("title", "Kubernetes").put("version", ServerVersion.current().gitVersion());
        ObjectNode paths = document.putObject("paths");
        for (ServedResource served : resources) {
            for (PathItem item : ResourcePaths.of(served)) {
                paths.set(item.path(), pathItem(item));
            }
        }
        document.set("definitions", schemas.definitions());
        return document;
    }

    private ObjectNode pathItem(PathItem item) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (Operation operation : item.operations()) {
            node.set(operation.method(), operation(operation));
        }
        ArrayNode parameters = node.putArray("parameters");
        for (String name : item.pathParameters()) {
            parameters.addObject().put("name", name).put("in", "path").put("required", true).put("type", "string")
                    .put("uniqueItems", true).put("description", name + " of the object");
        }
        parameters.add(query(QueryParameter.PRETTY));
        return node;
    }

    private ObjectNode operation(Operation operation) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("operationId", operation.operationId());
        ArrayNode consumes = node.putArray("consumes");
        (operation.body() == Operation.Body.PATCH ? Operation.PATCH_TYPES : List.of("*/*")).forEach(consumes::add);
        node.putArray("produces").add("application/json");
        ArrayNode parameters = node.putArray("parameters");
        operation.parameters().forEach(parameter -> parameters.add(query(parameter)));
        switch (operation.body()) {
            case OBJECT -> parameters.addObject().put("name", "body").put("in", "body").put("required", true)
                    .set("schema", schemas.ref(operation.bodyType()));
            case PATCH -> parameters.addObject().put("name", "body").put("in", "body").put("required", true)
                    .set("schema", schemas.patchRef());
            case DELETE_OPTIONS -> parameters.addObject().put("name", "body").put("in", "body")
                    .set("schema", schemas.ref(operation.bodyType()));
            case NONE -> { }
        }
        ObjectNode responses = node.putObject("responses");
        for (String code : operation.successCodes()) {
            responses.putObject(code).put("description", "OK").set("schema", schemas.ref(operation.responseType()));
        }
        node.put("x-kubernetes-action", operation.action());
        node.set("x-kubernetes-group-version-kind", Json.MAPPER.valueToTree(operation.gvk()));
        return node;
    }

    private static ObjectNode query(QueryParameter parameter) {
        return Json.MAPPER.createObjectNode().put("name", parameter.wireName).put("in", "query")
                .put("type", parameter.type).put("uniqueItems", true).put("description", parameter.description);
    }
}
