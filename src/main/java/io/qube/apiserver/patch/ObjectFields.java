package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of an object as managedFields count them, each with its value: every leaf (a scalar, an atomic list, an
 * empty map) and every item of a MAP list and value of a SET list, which are only {@link #PRESENT}. A map with content
 * is not a field itself; its fields are. Like Kubernetes, the identity and system fields (apiVersion, kind, name,
 * namespace, uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields) belong to nobody.
 * <p>
 * The walk reports what it finds to a {@link Collector}: a map from {@link FieldPath} to value for the general case,
 * or straight into a FieldsV1 tree ({@link FieldsV1#ofObject}) when only the set of fields is wanted, as on a create,
 * which then needs no path objects at all.
 */
final class ObjectFields {

    /** The value of a list item or set value: it is there, and there is nothing to compare. */
    static final JsonNode PRESENT = MissingNode.getInstance();

    private static final Set<String> UNOWNED_AT_ROOT = Set.of("apiVersion", "kind");
    private static final Set<String> UNOWNED_IN_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
            "generation", "creationTimestamp", "selfLink", "managedFields");

    /**
     * Where the walk reports to. A place {@code P} stands for a path; {@code child} extends it by one managedFields
     * element ({@code f:name}, {@code k:{...}}, {@code v:...}).
     */
    interface Collector<P> {
        P child(P at, String element);

        /** A leaf field and its value. */
        void leaf(P at, JsonNode value);

        /** A list member (item or set value); false when one with the same identity is already there. */
        boolean member(P at);
    }

    /** Which fields of an object belong to nobody: the root's and metadata's identity fields. */
    private enum Level { ROOT, METADATA, OTHER }

    private final boolean applied;

    private ObjectFields(boolean applied) {
        this.applied = applied;
    }

    /** The fields of a stored object; items that cannot be identified (no key) are left out. */
    static Map<FieldPath, JsonNode> of(JsonNode object, ModelType type) {
        PathMap paths = new PathMap();
        walk(object, type, FieldPath.ROOT, paths);
        return paths.fields;
    }

    /** The fields of an apply patch, where an item without its key, or twice the same key, is a 400. */
    static Map<FieldPath, JsonNode> ofApplied(ObjectNode object, ModelType type) {
        PathMap paths = new PathMap();
        new ObjectFields(true).object(object, type, FieldPath.ROOT, Level.ROOT, paths);
        return paths.fields;
    }

    /** The fields an update set (new, or with another value) and the fields it removed. */
    record Changes(Set<FieldPath> changed, Set<FieldPath> removed) {
    }

    /**
     * What {@code after} changed of {@code before}: the same as comparing {@link #of} of both, but a subtree equal on
     * both sides is skipped unvisited, so an update that sets a few fields of a large object (a Lease renewal, a
     * pod's status) costs little more than those fields. The changed fields come in the order of {@code after}.
     */
    static Changes changes(JsonNode before, JsonNode after, ModelType type) {
        Changes changes = new Changes(new LinkedHashSet<>(), new HashSet<>());
        new ObjectFields(false).objectChanges(before, after, type, FieldPath.ROOT, Level.ROOT, changes);
        return changes;
    }

    private void objectChanges(JsonNode before, JsonNode after, ModelType type, FieldPath at, Level level,
                               Changes changes) {
        for (Map.Entry<String, JsonNode> field : after.properties()) {
            fieldChanges(field.getKey(), before.get(field.getKey()), field.getValue(), type, at, level, changes);
        }
        for (Map.Entry<String, JsonNode> field : before.properties()) {
            if (!after.has(field.getKey())) {
                fieldChanges(field.getKey(), field.getValue(), null, type, at, level, changes);
            }
        }
    }

    private void fieldChanges(String name, JsonNode was, JsonNode now, ModelType type, FieldPath at, Level level,
                              Changes changes) {
        // As in the walk: identity fields belong to nobody, and a null value is no field.
        boolean unowned = level == Level.ROOT ? UNOWNED_AT_ROOT.contains(name)
                : level == Level.METADATA && UNOWNED_IN_METADATA.contains(name);
        JsonNode old = was == null || was.isNull() ? null : was;
        JsonNode fresh = now == null || now.isNull() ? null : now;
        if (unowned || old == null && fresh == null || old != null && old.equals(fresh)) {
            return;
        }
        Level next = level == Level.ROOT && name.equals("metadata") ? Level.METADATA : Level.OTHER;
        FieldPath place = at.child("f:" + name);
        if (old != null && fresh != null && old.isObject() && !old.isEmpty() && fresh.isObject() && !fresh.isEmpty()) {
            objectChanges(old, fresh, type.field(name), place, next, changes);
            return;
        }
        PathMap oldFields = new PathMap();
        PathMap freshFields = new PathMap();
        if (old != null) {
            value(old, type, name, place, next, oldFields);
        }
        if (fresh != null) {
            value(fresh, type, name, place, next, freshFields);
        }
        freshFields.fields.forEach((path, value) -> {
            if (!JsonValues.same(value, oldFields.fields.get(path))) {
                changes.changed().add(path);
            }
        });
        oldFields.fields.keySet().forEach(path -> {
            if (!freshFields.fields.containsKey(path)) {
                changes.removed().add(path);
            }
        });
    }

    /** Reports the fields of a stored object to {@code collector}, starting at its place {@code root}. */
    static <P> void walk(JsonNode object, ModelType type, P root, Collector<P> collector) {
        new ObjectFields(false).object(object, type, root, Level.ROOT, collector);
    }

    private <P> void object(JsonNode object, ModelType type, P at, Level level, Collector<P> collector) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            boolean unowned = level == Level.ROOT ? UNOWNED_AT_ROOT.contains(name)
                    : level == Level.METADATA && UNOWNED_IN_METADATA.contains(name);
            if (!unowned && !field.getValue().isNull()) {
                Level next = level == Level.ROOT && name.equals("metadata") ? Level.METADATA : Level.OTHER;
                value(field.getValue(), type, name, collector.child(at, "f:" + name), next, collector);
            }
        }
    }

    private <P> void value(JsonNode value, ModelType owner, String name, P at, Level level, Collector<P> collector) {
        if (value.isObject() && !value.isEmpty()) {
            object(value, owner.field(name), at, level, collector);
            return;
        }
        ListStrategy strategy = owner.listStrategy(name);
        if (value.isArray() && !value.isEmpty() && strategy.kind() == ListStrategy.Kind.MAP) {
            items(value, strategy, owner.field(name).element(), at, collector);
        } else if (value.isArray() && !value.isEmpty() && strategy.kind() == ListStrategy.Kind.SET) {
            value.forEach(member -> addMember("v:" + member, at, collector));
        } else {
            collector.leaf(at, value);
        }
    }

    private <P> void items(JsonNode list, ListStrategy strategy, ModelType itemType, P at, Collector<P> collector) {
        for (JsonNode item : list) {
            ObjectNode key = item.isObject() ? strategy.applyKeyOf(item) : null;
            if (key == null) {
                if (applied) {
                    throw ApiException.badRequest(at + ": an item lacks a key field ("
                            + String.join(", ", strategy.applyKeyNames()) + "): " + item);
                }
                continue;
            }
            P itemPlace = addMember("k:" + key, at, collector);
            if (itemPlace != null) {
                object(item, itemType, itemPlace, Level.OTHER, collector);
            }
        }
    }

    /**
     * Adds a list member; a second one with the same identity is a 400 in an apply patch and ignored otherwise.
     *
     * @return the member's place, or null when it was there already
     */
    private <P> P addMember(String element, P list, Collector<P> collector) {
        P member = collector.child(list, element);
        if (collector.member(member)) {
            return member;
        }
        if (applied) {
            throw ApiException.badRequest(list + ": duplicate entries for key " + new FieldPath(List.of(element)));
        }
        return null;
    }

    /** The general collector: every field's path and value, in the order of the object. */
    private static final class PathMap implements Collector<FieldPath> {
        private final Map<FieldPath, JsonNode> fields = new LinkedHashMap<>();

        @Override
        public FieldPath child(FieldPath at, String element) {
            return at.child(element);
        }

        @Override
        public void leaf(FieldPath at, JsonNode value) {
            fields.put(at, value);
        }

        @Override
        public boolean member(FieldPath at) {
            return fields.putIfAbsent(at, PRESENT) == null;
        }
    }
}
