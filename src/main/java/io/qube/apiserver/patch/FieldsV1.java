package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of field paths in Kubernetes' FieldsV1 JSON: a tree keyed by path elements, where {@code {}} is an owned leaf
 * and {@code ".": {}} marks a node that is owned itself and has owned children (a list item and its fields).
 */
final class FieldsV1 {

    private static final String SELF = ".";

    private FieldsV1() {
    }

    static Set<FieldPath> read(JsonNode fieldsV1) {
        Set<FieldPath> paths = new LinkedHashSet<>();
        if (fieldsV1 instanceof ObjectNode tree) {
            read(tree, FieldPath.ROOT, paths);
        }
        return paths;
    }

    private static void read(ObjectNode tree, FieldPath at, Set<FieldPath> paths) {
        for (Map.Entry<String, JsonNode> child : tree.properties()) {
            if (child.getKey().equals(SELF)) {
                paths.add(at);
            } else if (child.getValue() instanceof ObjectNode subtree) {
                FieldPath path = at.child(child.getKey());
                if (subtree.isEmpty()) {
                    paths.add(path);
                } else {
                    read(subtree, path, paths);
                }
            }
        }
    }

    /** Elements sort by their text, which puts "." first and f: before k: before v:, as Kubernetes writes them. */
    static ObjectNode write(Set<FieldPath> paths) {
        Node root = new Node();
        for (FieldPath path : paths) {
            Node node = root;
            for (String element : path.elements()) {
                node = node.child(element);
            }
            node.owned = true;
        }
        return root.toJson();
    }

    /**
     * {@code write(ObjectFields.of(object, type).keySet())}, built in one walk without the paths: what a create's
     * managedFields entry owns.
     */
    static ObjectNode ofObject(JsonNode object, ModelType type) {
        Node root = new Node();
        ObjectFields.walk(object, type, root, new Builder());
        return root.toJson();
    }

    /** Builds the tree as the walk goes. */
    private static final class Builder implements ObjectFields.Collector<Node> {
        @Override
        public Node child(Node at, String element) {
            return at.child(element);
        }

        @Override
        public void leaf(Node at, JsonNode value) {
            at.owned = true;
        }

        @Override
        public boolean member(Node at) {
            if (at.owned) {
                return false;
            }
            at.owned = true;
            return true;
        }
    }

    private static final class Node {
        private boolean owned;
        private final Map<String, Node> children = new TreeMap<>();

        private Node child(String element) {
            return children.computeIfAbsent(element, e -> new Node());
        }

        /** Nodes the walk passed without finding a field below (a map of nulls) own nothing and are left out. */
        private boolean ownsSomething() {
            if (owned) {
                return true;
            }
            for (Node child : children.values()) {
                if (child.ownsSomething()) {
                    return true;
                }
            }
            return false;
        }

        private ObjectNode toJson() {
            ObjectNode json = Json.MAPPER.createObjectNode();
            if (owned && hasOwningChild()) {
                json.putObject(SELF);
            }
            children.forEach((element, child) -> {
                if (child.ownsSomething()) {
                    json.set(element, child.toJson());
                }
            });
            return json;
        }

        private boolean hasOwningChild() {
            for (Node child : children.values()) {
                if (child.ownsSomething()) {
                    return true;
                }
            }
            return false;
        }
    }
}
