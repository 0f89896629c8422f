package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Kubernetes' strategic merge patch ({@code application/strategic-merge-patch+json}), what kubectl apply, edit, set
 * image, rollout restart and patch send. It is a merge patch whose lists follow {@link ListStrategies}: MAP lists merge
 * item by item on the merge key, SET lists merge as sets, other lists are replaced. Directives steer it:
 * <ul>
 * <li>{@code "$patch": "replace"} in a map replaces the map; as a list item, the list (with the other items);</li>
 * <li>{@code "$patch": "delete"} in a map deletes the map; as a list item, the live item with that merge key;</li>
 * <li>{@code "$patch": "merge"} is the default, accepted anywhere;</li>
 * <li>{@code "$retainKeys": [...]} drops the live map's other keys (kubectl sends it when a union such as a
 * deployment's strategy changes type);</li>
 * <li>{@code "$setElementOrder/<list>": [...]} orders the merged list;</li>
 * <li>{@code "$deleteFromPrimitiveList/<list>": [...]} removes values from a set list such as finalizers.</li>
 * </ul>
 * A null value removes the key. A patch value with nothing to merge into is taken with its nulls and directives
 * resolved, so none of them reach the stored object.
 */
final class StrategicMergePatch {

    private static final String PATCH = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    private StrategicMergePatch() {
    }

    static ObjectNode apply(ObjectNode current, ObjectNode patch, ModelType type) {
        ObjectNode patched = mergeObject(current.deepCopy(), patch, type);
        if (patched == null) {
            throw ApiException.badRequest("a strategic merge patch cannot delete the whole object"
                    + " (\"$patch\": \"delete\" at the top level)");
        }
        return patched;
    }

    /** Merges the patch into the live map, which it changes; null when the patch deletes the map. */
    private static ObjectNode mergeObject(ObjectNode live, ObjectNode patch, ModelType type) {
        JsonNode directive = patch.get(PATCH);
        String how = directive == null ? "merge" : directive(directive);
        if (how.equals("delete")) {
            return null;
        }
        ObjectNode target = how.equals("replace") ? Json.MAPPER.createObjectNode() : live;
        retainKeys(target, patch);
        // $setElementOrder places items relative to the live list as it was before this merge.
        Map<String, JsonNode> liveListsBeforeMerge = new HashMap<>();
        patch.properties().stream().map(Map.Entry::getKey).filter(name -> name.startsWith(SET_ELEMENT_ORDER))
                .map(name -> name.substring(SET_ELEMENT_ORDER.length()))
                .forEach(list -> liveListsBeforeMerge.put(list, target.path(list)));
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                deleteFromList(target, name.substring(DELETE_FROM_PRIMITIVE_LIST.length()), value);
            } else if (!isDirective(name)) {
                JsonNode merged = value.isNull() ? null : mergeValue(target.get(name), value, type, name);
                if (merged == null) {
                    target.remove(name);
                } else {
                    target.set(name, merged);
                }
            }
        }
        liveListsBeforeMerge.forEach((list, before) -> setElementOrder(target, list,
                patch.get(SET_ELEMENT_ORDER + list), before, patch.get(list), type.listStrategy(list)));
        return target;
    }

    /** The merged value of one field; null when the patch deletes it. */
    private static JsonNode mergeValue(JsonNode live, JsonNode patch, ModelType owner, String name) {
        if (patch instanceof ObjectNode patchObject) {
            ObjectNode base = live instanceof ObjectNode liveObject ? liveObject : Json.MAPPER.createObjectNode();
            return mergeObject(base, patchObject, owner.field(name));
        }
        if (patch instanceof ArrayNode patchList) {
            ArrayNode base = live instanceof ArrayNode liveList ? liveList : Json.MAPPER.createArrayNode();
            return mergeList(base, patchList, owner.listStrategy(name), owner.field(name).element(), name);
        }
        return patch;
    }

    private static ArrayNode mergeList(ArrayNode live, ArrayNode patch, ListStrategy strategy, ModelType itemType,
                                       String name) {
        List<JsonNode> liveItems = new ArrayList<>();
        live.forEach(liveItems::add);
        List<JsonNode> patchItems = new ArrayList<>();
        for (JsonNode item : patch) {
            JsonNode directive = item.isObject() ? item.get(PATCH) : null;
            if (directive == null) {
                patchItems.add(item);
                continue;
            }
            switch (directive(directive)) {
                case "replace" -> liveItems.clear();
                case "delete" -> {
                    JsonNode key = mergeKeyOf(item, strategy, name);
                    liveItems.removeIf(liveItem -> JsonValues.same(key, liveItem.get(strategy.mergeKey())));
                }
                default -> {
                    ObjectNode rest = ((ObjectNode) item).deepCopy().without(PATCH);
                    if (!rest.isEmpty()) {
                        patchItems.add(rest);
                    }
                }
            }
        }
        return switch (strategy.kind()) {
            case ATOMIC -> resolved(patchItems, itemType);
            case SET -> mergeSet(liveItems, patchItems);
            case MAP -> mergeByKey(liveItems, patchItems, strategy, itemType, name);
        };
    }

    /** An atomic list: the patch's items, with their nulls and directives resolved. */
    private static ArrayNode resolved(List<JsonNode> items, ModelType itemType) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (JsonNode item : items) {
            JsonNode value = item instanceof ObjectNode object
                    ? mergeObject(Json.MAPPER.createObjectNode(), object, itemType)
                    : item;
            if (value != null) {
                list.add(value);
            }
        }
        return list;
    }

    private static ArrayNode mergeSet(List<JsonNode> liveItems, List<JsonNode> patchItems) {
        List<JsonNode> added = new ArrayList<>();
        for (JsonNode item : patchItems) {
            if (added.stream().noneMatch(existing -> JsonValues.same(existing, item))) {
                added.add(item);
            }
        }
        List<JsonNode> liveOnly = liveItems.stream()
                .filter(item -> added.stream().noneMatch(value -> JsonValues.same(value, item)))
                .toList();
        return ListOrder.interleave(added, liveOnly, liveItems, Function.identity());
    }

    private static ArrayNode mergeByKey(List<JsonNode> liveItems, List<JsonNode> patchItems, ListStrategy strategy,
                                        ModelType itemType, String name) {
        String mergeKey = strategy.mergeKey();
        List<JsonNode> merged = new ArrayList<>();
        for (JsonNode item : patchItems) {
            JsonNode key = mergeKeyOf(item, strategy, name);
            // The same key twice in a patch merges both into one item.
            JsonNode earlier = find(merged, mergeKey, key);
            JsonNode base = earlier != null ? earlier : find(liveItems, mergeKey, key);
            ObjectNode result = mergeObject(base instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode(),
                    (ObjectNode) item, itemType);
            if (earlier == null) {
                merged.add(result);
            } else {
                merged.set(merged.indexOf(earlier), result);
            }
        }
        List<JsonNode> liveOnly = liveItems.stream()
                .filter(item -> find(merged, mergeKey, item.get(mergeKey)) == null)
                .toList();
        return ListOrder.interleave(merged, liveOnly, liveItems, item -> item.get(mergeKey));
    }

    private static JsonNode find(List<JsonNode> items, String mergeKey, JsonNode key) {
        if (key == null) {
            return null;
        }
        return items.stream().filter(item -> JsonValues.same(key, item.get(mergeKey))).findFirst().orElse(null);
    }

    private static JsonNode mergeKeyOf(JsonNode item, ListStrategy strategy, String name) {
        if (strategy.kind() != ListStrategy.Kind.MAP) {
            throw ApiException.badRequest("\"" + name + "\" is not a list with a merge key: its items cannot be"
                    + " deleted by key; replace the list instead");
        }
        JsonNode key = item.isObject() ? item.get(strategy.mergeKey()) : null;
        if (key == null || key.isNull()) {
            throw ApiException.badRequest("an item of \"" + name + "\" does not contain the merge key \""
                    + strategy.mergeKey() + "\": " + item);
        }
        return key;
    }

    private static void retainKeys(ObjectNode target, ObjectNode patch) {
        JsonNode keys = patch.get(RETAIN_KEYS);
        if (keys == null) {
            return;
        }
        Set<String> retained = new HashSet<>();
        for (JsonNode key : keys) {
            retained.add(key.asText());
        }
        boolean wellFormed = keys.isArray() && retained.size() == keys.size()
                && keys.valueStream().allMatch(JsonNode::isTextual);
        if (!wellFormed) {
            throw ApiException.badRequest("\"$retainKeys\" must be a list of field names, not " + keys);
        }
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            if (!isDirective(name) && !field.getValue().isNull() && !retained.contains(name)) {
                throw ApiException.badRequest("the patch sets \"" + name + "\", which its \"$retainKeys\" list "
                        + keys + " does not keep");
            }
        }
        target.retain(retained);
    }

    private static void deleteFromList(ObjectNode target, String name, JsonNode values) {
        if (!values.isArray()) {
            throw ApiException.badRequest("\"" + DELETE_FROM_PRIMITIVE_LIST + name + "\" must be a list, not " + values);
        }
        if (target.get(name) instanceof ArrayNode live) {
            ArrayNode kept = Json.MAPPER.createArrayNode();
            live.valueStream().filter(item -> values.valueStream().noneMatch(value -> JsonValues.same(value, item)))
                    .forEach(kept::add);
            target.set(name, kept);
        }
    }

    /**
     * Orders a merged list as {@code $setElementOrder} says: the items it names in its order, the others (live items
     * the patch leaves alone) placed relative to the live list as it was before.
     */
    private static void setElementOrder(ObjectNode target, String name, JsonNode order, JsonNode liveBefore,
                                        JsonNode patchList, ListStrategy strategy) {
        if (!order.isArray()) {
            throw ApiException.badRequest("\"" + SET_ELEMENT_ORDER + name + "\" must be a list, not " + order);
        }
        if (!(target.get(name) instanceof ArrayNode merged) || strategy.kind() == ListStrategy.Kind.ATOMIC) {
            return;
        }
        Function<JsonNode, JsonNode> identity = strategy.kind() == ListStrategy.Kind.MAP
                ? item -> item.get(strategy.mergeKey())
                : Function.identity();
        List<JsonNode> ordered = order.valueStream().map(identity).toList();
        if (patchList != null) {
            patchList.valueStream().filter(item -> !item.has(PATCH))
                    .filter(item -> indexOf(ordered, identity.apply(item)) < 0)
                    .findFirst()
                    .ifPresent(item -> {
                        throw ApiException.badRequest("\"" + SET_ELEMENT_ORDER + name + "\" does not list "
                                + "the patch's item " + item);
                    });
        }
        List<JsonNode> placed = new ArrayList<>();
        List<JsonNode> others = new ArrayList<>();
        merged.forEach(item -> (indexOf(ordered, identity.apply(item)) >= 0 ? placed : others).add(item));
        placed.sort((a, b) -> Integer.compare(indexOf(ordered, identity.apply(a)), indexOf(ordered, identity.apply(b))));
        List<JsonNode> before = new ArrayList<>();
        liveBefore.forEach(before::add);
        target.set(name, ListOrder.interleave(placed, others, before, identity));
    }

    private static int indexOf(List<JsonNode> ids, JsonNode id) {
        for (int i = 0; id != null && i < ids.size(); i++) {
            if (JsonValues.same(id, ids.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String directive(JsonNode value) {
        String directive = value.asText();
        if (!value.isTextual() || !Set.of("delete", "replace", "merge").contains(directive)) {
            throw ApiException.badRequest("\"$patch\" must be \"delete\", \"replace\" or \"merge\", not " + value);
        }
        return directive;
    }

    private static boolean isDirective(String name) {
        return name.equals(PATCH) || name.equals(RETAIN_KEYS) || name.startsWith(SET_ELEMENT_ORDER)
                || name.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    }
}
