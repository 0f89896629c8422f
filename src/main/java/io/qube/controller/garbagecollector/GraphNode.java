package io.qube.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.List;

/**
 * What the collector knows of one object: where it is, who owns it, and whether it is being deleted and how.
 *
 * @param kind its kind, as the API serves it
 */
record GraphNode(ResourceDefinitionContext kind, String namespace, String name, String uid,
                 List<OwnerReference> owners, boolean deleting, boolean orphaning, boolean deletingForeground) {

    static final String ORPHAN = "orphan";
    static final String FOREGROUND = "foregroundDeletion";

    static GraphNode of(HasMetadata object, ResourceDefinitionContext kind) {
        ObjectMeta meta = object.getMetadata();
        List<String> finalizers = meta.getFinalizers() == null ? List.of() : meta.getFinalizers();
        boolean deleting = meta.getDeletionTimestamp() != null;
        return new GraphNode(kind, meta.getNamespace(), meta.getName(), meta.getUid(),
                meta.getOwnerReferences() == null ? List.of() : List.copyOf(meta.getOwnerReferences()), deleting,
                deleting && finalizers.contains(ORPHAN), deleting && finalizers.contains(FOREGROUND));
    }

    /** Its reference to this owner, or null. */
    OwnerReference ownerRef(String ownerUid) {
        for (OwnerReference owner : owners) {
            if (ownerUid.equals(owner.getUid())) {
                return owner;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return kind.getKind() + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
