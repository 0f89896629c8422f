package io.qube.store;

/** A kind of stored object, named as Kubernetes names it in URLs: API group ("" for core) and plural resource. */
public record ResourceType(String group, String resource) {

    public ResourceType {
        if (group == null || resource == null || resource.isEmpty()) {
            throw new IllegalArgumentException("group and resource are required");
        }
    }

    public static ResourceType core(String resource) {
        return new ResourceType("", resource);
    }

    @Override
    public String toString() {
        return group.isEmpty() ? resource : resource + "." + group;
    }
}
