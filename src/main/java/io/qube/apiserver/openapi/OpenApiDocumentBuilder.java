package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.GroupVersionKind;
import io.qube.apiserver.discovery.ServedResource;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.discovery.ServerVersion;

import java.util.List;

/**
 * What the Swagger 2.0 and OpenAPI 3.0 documents share: info, one path item per resource path with its operations,
 * their parameters, request body, responses and Kubernetes extensions, then the definitions those reach. Each
 * subclass writes the parts whose layout its version of the specification fixes.
 */
abstract sealed class OpenApiDocumentBuilder permits SwaggerDocument, OpenApiV3Document {

    /** Where the request body is read from: a PATCH takes its own formats, every other body any content type. */
    private static final List<String> ANY_CONTENT_TYPE = List.of("*/*");

    private final SchemaGenerator schemas;

    OpenApiDocumentBuilder(SchemaDialect dialect) {
        this.schemas = new SchemaGenerator(dialect);
    }

    final ObjectNode build(List<ServedResource> resources) {
        ObjectNode document = versionedDocument();
        document.putObject("info").put("title", "Kubernetes").put("version", ServerVersion.current().gitVersion());
        ObjectNode paths = document.putObject("paths");
        for (ServedResource served : resources) {
            if (served.definition().isCustom()) {
                customResource(paths, served.definition());
                continue;
            }
            for (PathItem item : ResourcePaths.of(served)) {
                paths.set(item.path(), pathItem(item));
            }
        }
        putDefinitions(document, schemas.definitions());
        return document;
    }

    /**
     * A custom resource: its schema and the object's GET, which is how kubectl explain finds a resource's kind (the
     * other operations are left out: their bodies are typed by model classes, which custom resources have none of).
     */
    private void customResource(ObjectNode paths, ResourceDefinition<?> custom) {
        ObjectNode ref = schemas.refCustom(custom);
        String root = "/apis/" + custom.group() + "/" + custom.version();
        ObjectNode item = paths.putObject(root + (custom.namespaced() ? "/namespaces/{namespace}/" : "/")
                + custom.plural() + "/{name}");
        ObjectNode get = item.putObject("get").put("operationId", "read" + custom.kind());
        putMediaTypes(get, ANY_CONTENT_TYPE);
        get.putArray("parameters");
        putResponseSchema(get.putObject("responses").putObject("200").put("description", "OK"), ref);
        get.put("x-kubernetes-action", "get");
        get.set("x-kubernetes-group-version-kind", Json.MAPPER.valueToTree(
                new GroupVersionKind(custom.group(), custom.version(), custom.kind())));
        ArrayNode parameters = item.putArray("parameters");
        if (custom.namespaced()) {
            addPathParameter(parameters, "namespace");
        }
        addPathParameter(parameters, "name");
        parameters.add(query(QueryParameter.PRETTY));
    }

    /** A new document holding only the field that names its specification version. */
    abstract ObjectNode versionedDocument();

    /** Sets the definitions every reference points into, once all paths have been written. */
    abstract void putDefinitions(ObjectNode document, ObjectNode definitions);

    /** Appends the parameter that a path's {@code {name}} stands for. */
    abstract void addPathParameter(ArrayNode parameters, String name);

    /** One query parameter. */
    abstract ObjectNode query(QueryParameter parameter);

    /** Declares, where the version has it at operation level, the content types the operation reads and writes. */
    abstract void putMediaTypes(ObjectNode operation, List<String> requestContentTypes);

    /** Describes the operation's request body, after its query parameters. */
    abstract void putRequestBody(ObjectNode operation, ArrayNode parameters, List<String> contentTypes,
            ObjectNode schema, boolean required);

    /** Completes one success response, already described "OK", with the schema of what it returns. */
    abstract void putResponseSchema(ObjectNode response, ObjectNode schema);

    private ObjectNode pathItem(PathItem item) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (Operation operation : item.operations()) {
            node.set(operation.method(), operation(operation));
        }
        ArrayNode parameters = node.putArray("parameters");
        for (String name : item.pathParameters()) {
            addPathParameter(parameters, name);
        }
        parameters.add(query(QueryParameter.PRETTY));
        return node;
    }

    private ObjectNode operation(Operation operation) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("operationId", operation.operationId());
        List<String> contentTypes = operation.body() == Operation.Body.PATCH ? Operation.PATCH_TYPES : ANY_CONTENT_TYPE;
        putMediaTypes(node, contentTypes);
        ArrayNode parameters = node.putArray("parameters");
        operation.parameters().forEach(parameter -> parameters.add(query(parameter)));
        switch (operation.body()) {
            case OBJECT -> putRequestBody(node, parameters, contentTypes, schemas.ref(operation.bodyType()), true);
            case PATCH -> putRequestBody(node, parameters, contentTypes, schemas.patchRef(), true);
            case DELETE_OPTIONS -> putRequestBody(node, parameters, contentTypes, schemas.ref(operation.bodyType()),
                    false);
            case NONE -> { }
        }
        ObjectNode responses = node.putObject("responses");
        for (String code : operation.successCodes()) {
            putResponseSchema(responses.putObject(code).put("description", "OK"),
                    schemas.ref(operation.responseType()));
        }
        node.put("x-kubernetes-action", operation.action());
        node.set("x-kubernetes-group-version-kind", Json.MAPPER.valueToTree(operation.gvk()));
        return node;
    }
}
