package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.discovery.ServedResource;
import io.qube.apiserver.discovery.StaticDocument;
import io.qube.apiserver.registry.ResourceRegistry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every OpenAPI document of the API for one registry generation: the Swagger 2.0 document, one OpenAPI 3.0 document per group
 * version, and the v3 index that links each of those by a URL carrying its hash, so clients may cache them forever.
 */
final class OpenApiDocuments {

    private static final String JSON = "application/json";
    /** What kube-openapi answers with, whichever of its names for the form was asked for ('@' is no token char). */
    static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private final StaticDocument swagger;
    private final StaticDocument swaggerProtobuf;
    private final Map<String, StaticDocument> groupVersions;
    private final StaticDocument index;

    private OpenApiDocuments(StaticDocument swagger, StaticDocument swaggerProtobuf,
                             Map<String, StaticDocument> groupVersions, StaticDocument index) {
        this.swagger = swagger;
        this.swaggerProtobuf = swaggerProtobuf;
        this.groupVersions = groupVersions;
        this.index = index;
    }

    static OpenApiDocuments generate(ResourceRegistry registry) {
        ObjectNode swaggerTree = SwaggerDocument.of(ServedResource.all(registry));
        StaticDocument swagger = StaticDocument.json(swaggerTree, JSON);
        StaticDocument swaggerProtobuf = StaticDocument.encoded(SwaggerProtobuf.encode(swaggerTree), PROTOBUF);
        Map<String, StaticDocument> groupVersions = new LinkedHashMap<>();
        ObjectNode index = Json.MAPPER.createObjectNode();
        ObjectNode paths = index.putObject("paths");
        for (GroupVersion groupVersion : groupVersions(registry)) {
            StaticDocument document = StaticDocument.json(OpenApiV3Document.of(
                    ServedResource.inGroupVersion(registry, groupVersion.group(), groupVersion.version())), JSON);
            groupVersions.put(groupVersion.path(), document);
            paths.putObject(groupVersion.path())
                    .put("serverRelativeURL", "/openapi/v3/" + groupVersion.path() + "?hash=" + document.hash());
        }
        return new OpenApiDocuments(swagger, swaggerProtobuf, Map.copyOf(groupVersions),
                StaticDocument.json(index, JSON));
    }

    StaticDocument swagger() {
        return swagger;
    }

    /** The same document in gnostic's protobuf form, which Go clients ask for. */
    StaticDocument swaggerProtobuf() {
        return swaggerProtobuf;
    }

    StaticDocument index() {
        return index;
    }

    /** The v3 document at {@code /openapi/v3/<path>} (e.g. api/v1 or apis/apps/v1), or null if none is served. */
    StaticDocument groupVersion(String path) {
        return groupVersions.get(path);
    }

    private static List<GroupVersion> groupVersions(ResourceRegistry registry) {
        List<GroupVersion> all = new ArrayList<>();
        registry.versions("").forEach(version -> all.add(new GroupVersion("", version)));
        for (String group : registry.groups()) {
            registry.versions(group).forEach(version -> all.add(new GroupVersion(group, version)));
        }
        return all;
    }

    private record GroupVersion(String group, String version) {

        /** Kubernetes' layout: the core group under api/, the others under apis/. */
        String path() {
            return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
        }
    }
}
