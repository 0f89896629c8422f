package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Merges an apply patch into the live object the way server-side apply does: maps merge, MAP lists merge item by item
 * on their apply keys, SET lists take the union, atomic lists and scalars are replaced. Unlike a strategic merge there
 * are no directives and no nulls; fields the applier stopped applying are removed afterwards by {@link FieldRemoval}.
 * Lists are ordered as a strategic merge orders them ({@link ListOrder}), the applied items in the applied order.
 */
final class AppliedMerge {

    private AppliedMerge() {
    }

    /** Merges applied into live, which it changes, and returns it. */
    static ObjectNode merge(ObjectNode live, ObjectNode applied, ModelType type) {
        for (Map.Entry<String, JsonNode> field : applied.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            JsonNode current = live.get(name);
            if (value instanceof ObjectNode appliedObject && current instanceof ObjectNode liveObject) {
                merge(liveObject, appliedObject, type.field(name));
            } else if (value instanceof ArrayNode appliedList && current instanceof ArrayNode liveList) {
                live.set(name, mergeList(liveList, appliedList, type.listStrategy(name), type.field(name).element()));
            } else {
                live.set(name, value.deepCopy());
            }
        }
        return live;
    }

    private static ArrayNode mergeList(ArrayNode live, ArrayNode applied, ListStrategy strategy, ModelType itemType) {
        if (strategy.kind() == ListStrategy.Kind.ATOMIC) {
            return applied.deepCopy();
        }
        Function<JsonNode, JsonNode> identity = strategy.kind() == ListStrategy.Kind.MAP
                ? item -> item.isObject() ? strategy.applyKeyOf(item) : null
                : Function.identity();
        List<JsonNode> liveItems = new ArrayList<>();
        live.forEach(liveItems::add);
        List<JsonNode> appliedItems = new ArrayList<>();
        for (JsonNode item : applied) {
            JsonNode match = find(liveItems, identity.apply(item), identity);
            appliedItems.add(match instanceof ObjectNode liveItem && item instanceof ObjectNode appliedItem
                    ? merge(liveItem, appliedItem, itemType)
                    : item.deepCopy());
        }
        List<JsonNode> liveOnly = liveItems.stream()
                .filter(item -> find(appliedItems, identity.apply(item), identity) == null)
                .toList();
        return ListOrder.interleave(appliedItems, liveOnly, liveItems, identity);
    }

    private static JsonNode find(List<JsonNode> items, JsonNode id, Function<JsonNode, JsonNode> identity) {
        if (id == null) {
            return null;
        }
        return items.stream().filter(item -> JsonValues.same(id, identity.apply(item))).findFirst().orElse(null);
    }
}
