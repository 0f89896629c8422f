package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.List;

/** The namespaces every cluster has from its first start; several apiservers may race to create them. */
final class NamespaceBootstrap {

    static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private NamespaceBootstrap() {
    }

    static Uni<Void> ensure(ObjectWriter writer, ResourceRegistry registry) {
        ResourceDefinition<?> namespaces = registry.find("", "v1", "namespaces").orElseThrow();
        RequestInfo collection = new RequestInfo(namespaces, null, null, null, false);
        return Multi.createFrom().iterable(SYSTEM_NAMESPACES)
                .onItem().transformToUniAndConcatenate(name -> {
                    ObjectNode body = Json.MAPPER.createObjectNode();
                    body.putObject("metadata").put("name", name);
                    return writer.create(collection, body, WriteOptions.DEFAULT)
                            .onFailure(e -> e instanceof ApiException api && api.code() == 409).recoverWithNull();
                })
                .collect().last().replaceWithVoid();
    }
}
