package io.qube.apiserver;

import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

import java.util.function.Supplier;

/** New objects go only into namespaces that exist and are not being terminated (Kubernetes' NamespaceLifecycle). */
final class NamespaceGate {

    static final ResourceType NAMESPACES = ResourceType.core("namespaces");

    private final ObjectStore store;

    NamespaceGate(ObjectStore store) {
        this.store = store;
    }

    /**
     * Runs {@code write} if new content may go into the namespace, else fails with NotFound or Forbidden. When the
     * watch cache has the namespace, as for nearly every create, this is decided at once, without Uni stages.
     */
    <T> Uni<T> whenWritable(ResourceDefinition<?> definition, String namespace, Supplier<Uni<T>> write) {
        if (!definition.namespaced()) {
            return write.get();
        }
        ObjectKey key = ObjectKey.of(NAMESPACES, "", namespace);
        StoredObject cached = store.getCached(key);
        if (cached != null) {
            ApiException refused = refusal(cached, definition, namespace);
            return refused == null ? write.get() : Uni.createFrom().failure(refused);
        }
        // The cache may not have seen a namespace created a moment ago (possibly through another apiserver).
        return store.get(key)
                .onFailure(StoreException.class).transform(e -> ((StoreException) e).reason()
                        == StoreException.Reason.NOT_FOUND ? ApiException.notFound("", "namespaces", namespace)
                        : ApiException.from((StoreException) e, "", "namespaces"))
                .chain(stored -> {
                    ApiException refused = refusal(stored, definition, namespace);
                    return refused == null ? write.get() : Uni.createFrom().failure(refused);
                });
    }

    private static ApiException refusal(StoredObject namespace, ResourceDefinition<?> definition, String name) {
        if (namespace.body().contains("\"deletionTimestamp\"")) {
            return ApiException.forbidden(definition.group(), definition.plural(), "",
                    "unable to create new content in namespace " + name + " because it is being terminated");
        }
        return null;
    }
}
