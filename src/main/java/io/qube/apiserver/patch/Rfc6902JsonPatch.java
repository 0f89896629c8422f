package io.qube.apiserver.patch;

import com.fasterxml.jackson.core.JsonPointer;
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
            String op = operation.get("op").asText();
            String where = "JSON patch operation " + i + " (" + op + "): ";
            String item = WITH_FROM.contains(op) ? "from" : op.equals("add") ? null : "path";
            if (item != null && endOfList(patched, operation.get(item).asText())) {
                // RFC 6901's "-" is the place after a list's last item: something may be added there, but there is
                // nothing there to replace, remove, test, move or copy (zjsonpatch would remove the last item).
                throw rejected(operation.get("path").asText(), where + "\"" + operation.get(item).asText()
                        + "\" is the end of a list, not an item");
            }
            try {
                patched = JsonPatch.apply(Json.MAPPER.createArrayNode().add(operation), patched, LIKE_KUBERNETES);
            } catch (JsonPatchException | IndexOutOfBoundsException e) {
                // zjsonpatch reports a list's end ("-") where no item can be (replace, remove, test, from, inside
                // a path) as an index out of bounds: the client's patch, not the server, is at fault.
                throw rejected(operation.get("path").asText(), where + e.getMessage());
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

    /** Whether {@code pointer} ends in "-" under a list of {@code document}. */
    private static boolean endOfList(JsonNode document, String pointer) {
        int last = pointer.lastIndexOf('/');
        if (last < 0 || !pointer.substring(last + 1).equals("-")) {
            return false;
        }
        try {
            return document.at(JsonPointer.compile(pointer.substring(0, last))).isArray();
        } catch (IllegalArgumentException malformed) {
            return false; // a broken escape: the patch library names it
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
