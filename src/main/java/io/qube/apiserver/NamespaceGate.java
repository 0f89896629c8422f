package io.qube.apiserver;

import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

/** New objects go only into namespaces that exist and are not being terminated (Kubernetes' NamespaceLifecycle). */
final class NamespaceGate {

    static final ResourceType NAMESPACES = ResourceType.core("namespaces");

    private final ObjectStore store;

    NamespaceGate(ObjectStore store) {
        this.store = store;
    }

    Uni<Void> checkWritable(ResourceDefinition<?> definition, String namespace) {
        if (!definition.namespaced()) {
            return Uni.createFrom().voidItem();
        }
        ObjectKey key = ObjectKey.of(NAMESPACES, "", namespace);
        StoredObject cached = store.getCached(key);
        // The cache may not have seen a namespace created a moment ago (possibly through another apiserver).
        Uni<StoredObject> found = cached != null ? Uni.createFrom().item(cached) : store.get(key);
        return found
                .onFailure(StoreException.class).transform(e -> ((StoreException) e).reason()
                        == StoreException.Reason.NOT_FOUND ? ApiException.notFound("", "namespaces", namespace)
                        : ApiException.from((StoreException) e, "", "namespaces"))
                .map(stored -> {
                    if (stored.body().contains("\"deletionTimestamp\"")) {
                        throw ApiException.forbidden(definition.group(), definition.plural(), "",
                                "unable to create new content in namespace " + namespace
                                        + " because it is being terminated");
                    }
                    return null;
                });
    }
}
