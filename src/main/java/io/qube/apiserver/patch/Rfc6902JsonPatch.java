package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * JSON patch (RFC 6902, {@code application/json-patch+json}), what fabric8's edit and JSON patches send. A body that is
 * not a list of well-formed operations is a 400 BadRequest. An operation that cannot apply (a failed {@code test}, a
 * path that does not exist) is what Kubernetes answers: 422 Invalid with the generic message "the server rejected our
 * request due to an error in our request", which clients match on; Qube adds the reason as a cause.
 */
final class Rfc6902JsonPatch {

    private static final Set<String> OPERATIONS = Set.of("add", "remove", "replace", "move", "copy", "test");
    private static final Set<String> WITH_VALUE = Set.of("add", "replace", "test");
    private static final Set<String> WITH_FROM = Set.of("move", "copy");
    static final String REJECTED = "the server rejected our request due to an error in our request";

    // Kubernetes' JSON patch library refuses to remove what is not there; zjsonpatch only does with this flag.
    private static final EnumSet<CompatibilityFlags> LIKE_KUBERNETES = EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT);

    private Rfc6902JsonPatch() {
    }

    static ObjectNode apply(ObjectNode current, JsonNode operations) {
        checkWellFormed(operations);
        // One operation at a time, so a failure can name the operation that failed.
        JsonNode patched = current;
        for (int i = 0; i < operations.size(); i++) {
            JsonNode operation = operations.get(i);
            try {
                patched = JsonPatch.apply(Json.MAPPER.createArrayNode().add(operation), patched, LIKE_KUBERNETES);
            } catch (JsonPatchException e) {
                throw rejected(operation.get("path").asText(), "JSON patch operation " + i + " ("
                        + operation.get("op").asText() + "): " + e.getMessage());
            }
        }
        if (patched instanceof ObjectNode object) {
            return object == current ? object.deepCopy() : object;
        }
        throw rejected("", "the patched document is not an object");
    }

    private static void checkWellFormed(JsonNode operations) {
        if (!operations.isArray()) {
            throw ApiException.badRequest("a JSON patch must be a list of operations, not "
                    + operations.getNodeType().name().toLowerCase());
        }
        for (int i = 0; i < operations.size(); i++) {
            JsonNode operation = operations.get(i);
            String where = "JSON patch operation " + i;
            if (!operation.isObject()) {
                throw ApiException.badRequest(where + " is not an object");
            }
            String op = operation.path("op").asText("");
            if (!operation.path("op").isTextual() || !OPERATIONS.contains(op)) {
                throw ApiException.badRequest(where + ": \"op\" must be one of add, remove, replace, move, copy, test");
            }
            checkPointer(operation, "path", where);
            if (WITH_FROM.contains(op)) {
                checkPointer(operation, "from", where);
            }
            if (WITH_VALUE.contains(op) && !operation.has("value")) {
                throw ApiException.badRequest(where + " (" + op + "): missing \"value\"");
            }
        }
    }

    private static void checkPointer(JsonNode operation, String member, String where) {
        JsonNode pointer = operation.get(member);
        if (pointer == null || !pointer.isTextual()
                || !(pointer.asText().isEmpty() || pointer.asText().startsWith("/"))) {
            throw ApiException.badRequest(where + ": \"" + member + "\" must be a JSON pointer such as /metadata/labels");
        }
    }

    private static ApiException rejected(String path, String reason) {
        return new ApiException(422, "Invalid", REJECTED, null, null, null,
                List.of(new FieldErrors.Cause("FieldValueInvalid", reason, path)));
    }
}
