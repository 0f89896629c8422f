package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.qube.apiserver.admission.MetadataValidation;
import io.qube.apiserver.codec.WellTyped;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;

/** Checks every object must pass whatever its kind: the right kind for the path, and its metadata. */
final class ObjectRules {

    private ObjectRules() {
    }

    /**
     * Every field of the body has the JSON type the kind declares for it (else 400 naming the field). A custom
     * resource's types are its schema's, checked with the rest of its schema (422, as Kubernetes).
     */
    static void checkTypes(ObjectNode body, ResourceDefinition<?> definition) {
        if (definition.isCustom()) {
            return;
        }
        WellTyped.check(body, definition.type(), definition.kind(), definition.apiVersion());
    }

    /** The body's apiVersion and kind must be the path's; when absent they are filled in. */
    static void checkKind(ObjectNode body, ResourceDefinition<?> definition) {
        String apiVersion = body.path("apiVersion").asText("");
        String kind = body.path("kind").asText("");
        if (!apiVersion.isEmpty() && !apiVersion.equals(definition.apiVersion())
                || !kind.isEmpty() && !kind.equals(definition.kind())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match the URL, which expects " + definition.apiVersion() + " " + definition.kind());
        }
        body.put("apiVersion", definition.apiVersion());
        body.put("kind", definition.kind());
    }

    /**
     * A custom resource read through the version of the request: its versions share one schema-less conversion
     * (None), so only the apiVersion changes, as Kubernetes converts them.
     */
    static void asServedVersion(ObjectNode object, ResourceDefinition<?> definition) {
        if (definition.isCustom()) {
            object.put("apiVersion", definition.apiVersion());
        }
    }

    /** The object's metadata, created empty when missing. */
    static ObjectNode metadata(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        if (metadata instanceof ObjectNode existing) {
            return existing;
        }
        if (metadata != null && !metadata.isNull()) {
            throw ApiException.badRequest("metadata must be an object");
        }
        return object.putObject("metadata");
    }

    static void validateMetadata(HasMetadata object, HasMetadata old, ResourceDefinition<?> definition,
                                 FieldErrors errors) {
        ObjectMeta metadata = object.getMetadata() == null ? new ObjectMeta() : object.getMetadata();
        MetadataValidation.validate(metadata, definition, old == null ? null : old.getMetadata(), errors);
    }
}
