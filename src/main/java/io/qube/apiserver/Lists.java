package io.qube.apiserver;

import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.ListPage;
import io.qube.store.StoredObject;

/** A kind's List object ({@code PodList} ...), written straight from the stored bodies. */
final class Lists {

    private Lists() {
    }

    static String render(ResourceDefinition<?> definition, ListPage page) {
        StringBuilder json = new StringBuilder(256 + page.items().size() * 512);
        json.append("{\"kind\":\"").append(definition.listKind()).append("\",\"apiVersion\":\"")
                .append(definition.apiVersion()).append("\",\"metadata\":{\"resourceVersion\":\"")
                .append(page.revision()).append('"');
        if (page.continueToken() != null) {
            json.append(",\"continue\":\"").append(page.continueToken()).append('"');
        }
        json.append("},\"items\":[");
        boolean first = true;
        for (StoredObject item : page.items()) {
            if (!first) {
                json.append(',');
            }
            json.append(ObjectCodec.toWire(item, definition.apiVersion()));
            first = false;
        }
        return json.append("]}").toString();
    }
}
