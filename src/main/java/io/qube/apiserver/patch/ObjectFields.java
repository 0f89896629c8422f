package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of an object as managedFields count them, each with its value: every leaf (a scalar, an atomic list, an
 * empty map) and every item of a MAP list and value of a SET list, which are only {@link #PRESENT}. A map with content
 * is not a field itself; its fields are. Like Kubernetes, the identity and system fields (apiVersion, kind, name,
 * namespace, uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields) belong to nobody.
 */
final class ObjectFields {

    /** The value of a list item or set value: it is there, and there is nothing to compare. */
    static final JsonNode PRESENT = MissingNode.getInstance();

    private static final Set<String> UNOWNED_AT_ROOT = Set.of("apiVersion", "kind");
    private static final Set<String> UNOWNED_IN_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
            "generation", "creationTimestamp", "selfLink", "managedFields");
    private static final FieldPath METADATA = FieldPath.ROOT.field("metadata");

    private final boolean applied;
    private final Map<FieldPath, JsonNode> fields = new LinkedHashMap<>();

    private ObjectFields(boolean applied) {
        this.applied = applied;
    }

    /** The fields of a stored object; items that cannot be identified (no key) are left out. */
    static Map<FieldPath, JsonNode> of(JsonNode object, ModelType type) {
        ObjectFields walk = new ObjectFields(false);
        walk.object(object, type, FieldPath.ROOT);
        return walk.fields;
    }

    /** The fields of an apply patch, where an item without its key, or twice the same key, is a 400. */
    static Map<FieldPath, JsonNode> ofApplied(ObjectNode object, ModelType type) {
        ObjectFields walk = new ObjectFields(true);
        walk.object(object, type, FieldPath.ROOT);
        return walk.fields;
    }

    private void object(JsonNode object, ModelType type, FieldPath at) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            boolean unowned = at.equals(FieldPath.ROOT) ? UNOWNED_AT_ROOT.contains(name)
                    : at.equals(METADATA) && UNOWNED_IN_METADATA.contains(name);
            if (!unowned && !field.getValue().isNull()) {
                value(field.getValue(), type, name, at.field(name));
            }
        }
    }

    private void value(JsonNode value, ModelType owner, String name, FieldPath at) {
        if (value.isObject() && !value.isEmpty()) {
            object(value, owner.field(name), at);
            return;
        }
        ListStrategy strategy = owner.listStrategy(name);
        if (value.isArray() && !value.isEmpty() && strategy.kind() == ListStrategy.Kind.MAP) {
            items(value, strategy, owner.field(name).element(), at);
        } else if (value.isArray() && !value.isEmpty() && strategy.kind() == ListStrategy.Kind.SET) {
            value.forEach(member -> addMember(at.value(member), at));
        } else {
            fields.put(at, value);
        }
    }

    private void items(JsonNode list, ListStrategy strategy, ModelType itemType, FieldPath at) {
        for (JsonNode item : list) {
            ObjectNode key = item.isObject() ? strategy.applyKeyOf(item) : null;
            if (key == null) {
                if (applied) {
                    throw ApiException.badRequest(at + ": an item lacks a key field ("
                            + String.join(", ", strategy.applyKeyNames()) + "): " + item);
                }
                continue;
            }
            FieldPath itemPath = at.item(key);
            if (addMember(itemPath, at)) {
                object(item, itemType, itemPath);
            }
        }
    }

    /** Adds a list member; a second one with the same identity is a 400 in an apply patch and ignored otherwise. */
    private boolean addMember(FieldPath member, FieldPath list) {
        if (fields.containsKey(member)) {
            if (applied) {
                throw ApiException.badRequest(list + ": duplicate entries for key "
                        + new FieldPath(List.of(member.last())));
            }
            return false;
        }
        fields.put(member, PRESENT);
        return true;
    }
}
