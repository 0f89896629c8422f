package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.VersionConversion;
import io.qube.store.ListPage;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;

/**
 * Requests to a kind's second served version (see {@link ResourceDefinition#storedAs}): writes go through the
 * stored version's definition with the body converted to it, and what is read is converted back. For every other
 * kind each method returns what it is given.
 */
final class ServedVersions {

    private ServedVersions() {
    }

    /** The request as the stored version's: what the writer runs. */
    static RequestInfo stored(RequestInfo request) {
        ResourceDefinition<?> storage = request.definition().storage();
        return storage == request.definition() ? request : new RequestInfo(storage, request.namespace(),
                request.name(), request.subresource(), request.legacyWatch());
    }

    static ObjectNode toStored(ResourceDefinition<?> definition, ObjectNode served) {
        VersionConversion conversion = definition.conversion();
        return conversion == null || served == null ? served : conversion.toStored(served);
    }

    static ObjectNode toServed(ResourceDefinition<?> definition, ObjectNode stored) {
        VersionConversion conversion = definition.conversion();
        return conversion == null || stored == null ? stored : conversion.toServed(stored);
    }

    static StoredObject served(ResourceDefinition<?> definition, StoredObject object) {
        VersionConversion conversion = definition.conversion();
        if (conversion == null || object == null) {
            return object;
        }
        ObjectNode tree = conversion.toServed(ObjectCodec.toTree(object));
        return new StoredObject(object.key(), object.uid(), object.revision(), object.createRevision(),
                object.labels(), object.fields(), ObjectCodec.storedBody(tree));
    }

    static ListPage served(ResourceDefinition<?> definition, ListPage page) {
        return definition.conversion() == null ? page : new ListPage(page.items().stream()
                .map(item -> served(definition, item)).toList(), page.revision(), page.continueToken());
    }

    static WatchEvent served(ResourceDefinition<?> definition, WatchEvent event) {
        return definition.conversion() == null || event.object() == null ? event
                : new WatchEvent(event.type(), served(definition, event.object()), event.revision(), event.error());
    }
}
