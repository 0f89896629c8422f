package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Comparator;
import java.util.Set;

/**
 * Removes from an object the fields an applier stopped applying and nobody else owns. A map or list emptied by that is
 * removed too (a label map that lost its only label goes). A list item stays while another manager owns a field in
 * it, and so do its key fields, without which it could not be identified.
 */
final class FieldRemoval {

    private FieldRemoval() {
    }

    static void remove(ObjectNode object, Set<FieldPath> released, Set<FieldPath> ownedByOthers, ModelType type) {
        released.stream()
                .filter(path -> ownedByOthers.stream().noneMatch(path::contains) && !isKeyOfItem(path))
                .sorted(Comparator.comparingInt(FieldPath::size).reversed())
                .forEach(path -> removeFromObject(object, path, 0, type));
    }

    private static boolean isKeyOfItem(FieldPath path) {
        if (path.size() < 2 || !path.parent().last().startsWith("k:")) {
            return false;
        }
        JsonNode key = FieldPath.json(path.parent().last());
        String name = FieldPath.fieldName(path.last());
        return key != null && name != null && key.has(name);
    }

    /** Removes the path below object; true when that emptied object. */
    private static boolean removeFromObject(ObjectNode object, FieldPath path, int index, ModelType type) {
        String name = FieldPath.fieldName(path.element(index));
        JsonNode child = name == null ? null : object.get(name);
        if (child == null) {
            return false;
        }
        boolean emptied;
        if (index == path.size() - 1) {
            emptied = true;
        } else if (child instanceof ObjectNode childObject) {
            emptied = removeFromObject(childObject, path, index + 1, type.field(name));
        } else if (child instanceof ArrayNode list) {
            emptied = removeFromList(list, path, index + 1, type.listStrategy(name), type.field(name).element());
        } else {
            emptied = false;
        }
        if (emptied) {
            object.remove(name);
        }
        return emptied && object.isEmpty();
    }

    /** Removes the path below a list, whose element at index names an item or a value; true when that emptied it. */
    private static boolean removeFromList(ArrayNode list, FieldPath path, int index, ListStrategy strategy,
                                          ModelType itemType) {
        String element = path.element(index);
        JsonNode wanted = FieldPath.json(element);
        for (int i = 0; wanted != null && i < list.size(); i++) {
            JsonNode item = list.get(i);
            JsonNode id = element.startsWith("k:") ? (item.isObject() ? strategy.applyKeyOf(item) : null) : item;
            if (!JsonValues.same(wanted, id)) {
                continue;
            }
            if (index == path.size() - 1) {
                list.remove(i);
                return list.isEmpty();
            }
            // An item emptied of released fields stays; only its own path removes it.
            if (item instanceof ObjectNode itemObject) {
                removeFromObject(itemObject, path, index + 1, itemType);
            }
            return false;
        }
        return false;
    }
}
