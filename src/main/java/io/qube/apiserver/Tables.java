package io.qube.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.table.IncludeObject;
import io.qube.apiserver.table.TableRenderer;
import io.qube.store.ListPage;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Function;

/** Answers in meta.k8s.io/v1 Table form when the client asks for it, as {@code kubectl get} does. */
final class Tables {

    private static final TableRenderer RENDERER = new TableRenderer();

    private Tables() {
    }

    /** Whether the Accept header asks for a Table (kubectl: {@code application/json;as=Table;v=v1;g=meta.k8s.io}). */
    static boolean wanted(RoutingContext context) {
        String accept = context.request().getHeader("Accept");
        return accept != null && accept.contains("as=Table");
    }

    static String list(ResourceDefinition<?> definition, ListPage page, IncludeObject include) {
        return listTyped(definition, page, include);
    }

    static String single(ResourceDefinition<?> definition, StoredObject object, IncludeObject include) {
        return singleTyped(definition, object, include, true);
    }

    /** An encoder for a watch's events: each object becomes a one-row Table, columns described on the first. */
    static Function<WatchEvent, String> watchEncoder(ResourceDefinition<?> definition, IncludeObject include) {
        boolean[] first = {true};
        return event -> {
            if (event.object() == null) {
                return WatchStream.encode(definition, event);
            }
            String table = singleTyped(definition, event.object(), include, first[0]);
            first[0] = false;
            return "{\"type\":\"" + event.type() + "\",\"object\":" + table + "}";
        };
    }

    private static <T extends HasMetadata> String listTyped(ResourceDefinition<T> definition, ListPage page,
                                                            IncludeObject include) {
        List<T> objects = page.items().stream().map(item -> ObjectCodec.toTyped(item, definition.type())).toList();
        return RENDERER.list(definition, objects, Long.toString(page.revision()), page.continueToken(), include)
                .toString();
    }

    private static <T extends HasMetadata> String singleTyped(ResourceDefinition<T> definition, StoredObject object,
                                                              IncludeObject include, boolean columns) {
        return RENDERER.single(definition, ObjectCodec.toTyped(object, definition.type()), include, columns)
                .toString();
    }
}
