package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.WellTyped;
import io.qube.apiserver.registry.ResourceDefinition;

import java.time.Instant;

/**
 * The entry point for PATCH requests. Applies a body of one of Kubernetes' four patch types to the current object and
 * returns the patched object, with metadata.managedFields brought up to date for the field manager. A pure function
 * over JSON: no HTTP, no store; the caller still defaults, validates and stores the result, and checks it keeps its
 * name, namespace, kind and (if it carries one) resourceVersion.
 */
public final class Patches {

    private Patches() {
    }

    /**
     * Applies a patch.
     *
     * @param contentType the request's Content-Type; its parameters (charset, ...) are ignored
     * @param current the stored object, not modified; null only for an apply patch, which then creates the object
     *                (for the other types the caller answers 404 NotFound first)
     * @param body the request body: JSON, or for an apply patch YAML or JSON
     * @param definition the kind, whose model class gives the list merge keys and whose apiVersion is recorded
     * @param fieldManager who writes: required for apply (else 422); for the other types, recorded as an Update entry
     *                     when present
     * @param force for apply only: take over fields other managers own instead of answering 409 Conflict
     * @param now the request time, recorded in managedFields (a parameter so the library stays pure and repeatable)
     * @return the patched object, a new tree
     * @throws io.qube.apiserver.ApiException 415 for an unknown content type; 400 for a malformed body or patch;
     *         422 for a JSON patch operation that cannot apply (as Kubernetes) or an apply without fieldManager;
     *         409 Conflict for an apply that conflicts with other managers without force
     */
    public static ObjectNode apply(String contentType, ObjectNode current, byte[] body,
                                   ResourceDefinition<?> definition, String fieldManager, boolean force, Instant now) {
        PatchType type = PatchType.of(contentType);
        ModelType model = ModelType.of(definition.type());
        if (current == null && type != PatchType.APPLY_PATCH) {
            throw new IllegalArgumentException("only an apply patch creates an object; a " + type.mediaType()
                    + " patch needs the current object");
        }
        ObjectNode patched = switch (type) {
            case JSON_PATCH -> Rfc6902JsonPatch.apply(current, PatchBody.json(body));
            case MERGE_PATCH -> Rfc7386MergePatch.apply(current, PatchBody.jsonObject(body, "a merge patch"));
            case STRATEGIC_MERGE_PATCH -> StrategicMergePatch.apply(current,
                    PatchBody.jsonObject(body, "a strategic merge patch"), model);
            case APPLY_PATCH -> ServerSideApply.apply(current, wellTyped(PatchBody.yamlObject(body), definition),
                    model, definition, fieldManager, force, now);
        };
        return type == PatchType.APPLY_PATCH
                ? patched
                : ManagedFields.recordUpdate(current, patched, model, definition.apiVersion(), fieldManager, now);
    }

    /** An apply configuration is a partial object of the kind: its fields are typed before ownership is computed. */
    private static ObjectNode wellTyped(ObjectNode configuration, ResourceDefinition<?> definition) {
        if (definition.isCustom()) {
            return configuration; // typed by its schema, after the apply
        }
        WellTyped.check(configuration, definition.type(), definition.kind(), definition.apiVersion());
        return configuration;
    }
}
