package io.qube.store;

/** Where one object lives: its resource type, namespace ("" for cluster-scoped objects) and name. */
public record ObjectKey(ResourceType type, String namespace, String name) implements Comparable<ObjectKey> {

    public ObjectKey {
        if (type == null || namespace == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("type, namespace and name are required");
        }
    }

    public static ObjectKey of(ResourceType type, String namespace, String name) {
        return new ObjectKey(type, namespace == null ? "" : namespace, name);
    }

    /** Lists come back in this order: namespace, then name, compared as bytes (the database uses the "C" collation). */
    @Override
    public int compareTo(ObjectKey other) {
        int byNamespace = namespace.compareTo(other.namespace);
        return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return type + "/" + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }
}
