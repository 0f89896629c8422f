package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.qube.apiserver.codec.Json;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How a list field combines with the live list, in Kubernetes' terms: ATOMIC lists are replaced whole; SET lists of
 * values merge as a set (patchStrategy merge without a key, listType set); MAP lists merge item by item. A strategic
 * merge patch matches MAP items by the single {@code patchMergeKey}; server-side apply by the {@code listMapKey}s,
 * which for a few lists add a field (a container port is its number and protocol) and default a missing one.
 */
record ListStrategy(Kind kind, String mergeKey, List<KeyField> applyKeys) {

    enum Kind { ATOMIC, SET, MAP }

    /** One field of a server-side apply key, with the value Kubernetes' schema gives it when an item leaves it out. */
    record KeyField(String name, JsonNode defaultValue) {
    }

    static final ListStrategy ATOMIC = new ListStrategy(Kind.ATOMIC, null, List.of());
    static final ListStrategy SET = new ListStrategy(Kind.SET, null, List.of());

    /** Items merge by one field, which also identifies them for server-side apply unless {@link #appliedBy} says more. */
    static ListStrategy mergedBy(String mergeKey) {
        return new ListStrategy(Kind.MAP, mergeKey, List.of(key(mergeKey)));
    }

    /** The same merge key for strategic merge, but these fields identify an item for server-side apply. */
    ListStrategy appliedBy(KeyField... keys) {
        return new ListStrategy(kind, mergeKey,
                Arrays.stream(keys).sorted(Comparator.comparing(KeyField::name)).toList());
    }

    static KeyField key(String name) {
        return new KeyField(name, null);
    }

    static KeyField key(String name, String defaultValue) {
        return new KeyField(name, TextNode.valueOf(defaultValue));
    }

    /**
     * The server-side apply key of an item, its key fields in name order (as Kubernetes writes them in {@code k:{...}}),
     * or null when the item lacks a key field that has no default.
     */
    ObjectNode applyKeyOf(JsonNode item) {
        ObjectNode key = Json.MAPPER.createObjectNode();
        for (KeyField field : applyKeys) {
            JsonNode value = item.get(field.name());
            if (value == null || value.isNull()) {
                value = field.defaultValue();
            }
            if (value == null) {
                return null;
            }
            key.set(field.name(), value);
        }
        return key;
    }

    List<String> applyKeyNames() {
        return applyKeys.stream().map(KeyField::name).toList();
    }
}
