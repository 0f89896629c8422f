package io.qube.apiserver;

import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
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
        return store.get(ObjectKey.of(NAMESPACES, "", namespace))
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
