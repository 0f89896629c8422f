package io.qube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pod templates as controllers compare and name them: a canonical JSON form in which equal Go structs are equal,
 * and the short hash of it that names a template's ReplicaSet or ControllerRevision.
 */
public final class PodTemplates {

    /** What rand.SafeEncodeString maps digits onto in Kubernetes: no vowels, no look-alike characters. */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private PodTemplates() {
    }

    /**
     * The tree with keys sorted and without the values Go reads as unset: null, "", false, 0 and empty objects
     * and lists. Kubernetes compares templates as Go structs, where those are all the same; a body kubectl sent as
     * protobuf carries every zero explicitly, one from fabric8 leaves them out.
     */
    public static JsonNode canonical(JsonNode tree) {
        JsonNode pruned = prune(tree);
        return pruned == null ? Serialization.jsonMapper().createObjectNode() : pruned;
    }

    /**
     * A name suffix for a canonical template: FNV-1a over its JSON and the collision count, encoded as Kubernetes
     * encodes its hash. Equal for equal templates; not Kubernetes' digits.
     */
    public static String hash(JsonNode canonical, Integer collisionCount) {
        int hash = 0x811c9dc5;
        for (byte b : canonical.toString().getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        if (collisionCount != null) {
            for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8)) {
                hash ^= b & 0xff;
                hash *= 0x01000193;
            }
        }
        String digits = Integer.toUnsignedString(hash);
        StringBuilder encoded = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            encoded.append(ALPHABET.charAt(c % ALPHABET.length()));
        }
        return encoded.toString();
    }

    private static JsonNode prune(JsonNode node) {
        if (node.isObject()) {
            ObjectNode sorted = Serialization.jsonMapper().createObjectNode();
            new TreeMap<>(toMap((ObjectNode) node)).forEach((key, value) -> {
                JsonNode kept = prune(value);
                if (kept != null) {
                    sorted.set(key, kept);
                }
            });
            return sorted.isEmpty() ? null : sorted;
        }
        if (node.isArray()) {
            ArrayNode items = Serialization.jsonMapper().createArrayNode();
            node.forEach(item -> {
                JsonNode kept = prune(item);
                items.add(kept == null ? Serialization.jsonMapper().createObjectNode() : kept);
            });
            return items.isEmpty() ? null : items;
        }
        boolean unset = node.isNull() || node.isTextual() && node.asText().isEmpty()
                || node.isBoolean() && !node.asBoolean() || node.isNumber() && node.asDouble() == 0;
        if (unset) {
            return null;
        }
        // One node type per kind of number: a Long field read back through a map is an int, and Jackson's
        // LongNode(30) does not equal its IntNode(30).
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return LongNode.valueOf(node.asLong());
        }
        return node.isNumber() && !node.isIntegralNumber() ? DoubleNode.valueOf(node.asDouble()) : node;
    }

    private static Map<String, JsonNode> toMap(ObjectNode node) {
        Map<String, JsonNode> fields = new HashMap<>();
        node.fields().forEachRemaining(entry -> fields.put(entry.getKey(), entry.getValue()));
        return fields;
    }
}
