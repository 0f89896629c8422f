package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;

import java.util.Map;

/**
 * JSON merge patch (RFC 7386, {@code application/merge-patch+json}), what kubectl label, annotate and scale send:
 * objects merge key by key, null removes a key, anything else (lists included) replaces the value.
 */
final class Rfc7386MergePatch {

    private Rfc7386MergePatch() {
    }

    static ObjectNode apply(ObjectNode current, ObjectNode patch) {
        return merge(current.deepCopy(), patch);
    }

    /** Merges the patch into target, which it changes. */
    private static ObjectNode merge(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(name);
            } else if (value instanceof ObjectNode patchObject) {
                // A value that is not an object is merged into as if it were empty, so nulls in a new object vanish.
                ObjectNode base = target.get(name) instanceof ObjectNode existing ? existing : Json.MAPPER.createObjectNode();
                target.set(name, merge(base, patchObject));
            } else {
                target.set(name, value.deepCopy());
            }
        }
        return target;
    }
}
