package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.smallrye.mutiny.Uni;

import java.util.function.Consumer;

/** Where the node paths find pods and nodes: the store and the two resource types. */
public record PodLookup(ObjectStore store, ResourceType pods, ResourceType nodes) {

    /** A container of the pod and the pod's node (see {@link PodTarget#find}). */
    Uni<PodTarget> container(String namespace, String name, String container, Consumer<JsonNode> check) {
        return PodTarget.find(store, pods, nodes, namespace, name, container, check);
    }

    /** The pod and its node, no container chosen. */
    Uni<PodTarget> pod(String namespace, String name) {
        return PodTarget.findPod(store, pods, nodes, namespace, name);
    }
}
