package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.smallrye.mutiny.Uni;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A container of a pod and the agent of the pod's node, found as kube-apiserver finds them for {@code log},
 * {@code exec} and friends: the pod (404), its node (400 when it has none, 404 when the Node is missing), the
 * container (the only one, or the one named), the node's advertised endpoint.
 *
 * @param pod the pod as stored
 */
record PodTarget(JsonNode pod, String container, NodeAddress node) {

    /** The path under the agent's endpoint for this container, e.g. {@code /containerLogs/ns/pod/c}. */
    String agentPath(String operation) {
        return "/" + operation + "/" + encode(pod.path("metadata").path("namespace").asText()) + "/"
                + encode(pod.path("metadata").path("name").asText()) + "/" + encode(container);
    }

    /**
     * @param container the container asked for, or null for the only one
     * @param check     what the operation asks of the pod before its node is looked up (throws an ApiException)
     */
    static Uni<PodTarget> find(ObjectStore store, ResourceType pods, ResourceType nodes, String namespace,
                               String name, String container, Consumer<JsonNode> check) {
        return find(store, pods, nodes, namespace, name, true, container, check);
    }

    /** The pod and its node without a container, for what concerns the whole pod (port-forward). */
    static Uni<PodTarget> findPod(ObjectStore store, ResourceType pods, ResourceType nodes, String namespace,
                                  String name) {
        return find(store, pods, nodes, namespace, name, false, null, pod -> { });
    }

    private static Uni<PodTarget> find(ObjectStore store, ResourceType pods, ResourceType nodes, String namespace,
                                       String name, boolean ofContainer, String container,
                                       Consumer<JsonNode> check) {
        return store.get(ObjectKey.of(pods, namespace, name)).map(stored -> tree(stored.body())).flatMap(pod -> {
            String chosen = ofContainer ? container(pod, name, container) : null;
            check.accept(pod);
            String node = pod.path("spec").path("nodeName").asText("");
            if (node.isEmpty()) {
                throw ApiException.badRequest("pod " + name + " does not have a host assigned");
            }
            return store.get(ObjectKey.of(nodes, null, node))
                    .onFailure(StoreException.class).transform(e -> ((StoreException) e).reason()
                            == StoreException.Reason.NOT_FOUND ? ApiException.notFound("", "nodes", node) : e)
                    .map(stored -> {
                        NodeAddress address = NodeAddress.of(tree(stored.body()));
                        if (address == null) {
                            throw ApiException.badRequest("node " + node + " advertises no endpoint of its agent");
                        }
                        return new PodTarget(pod, chosen, address);
                    });
        });
    }

    /** The failure for an agent that does not answer. */
    ApiException unavailable(Throwable cause) {
        return new ApiException(503, "ServiceUnavailable", "the agent of the pod's node at " + node.host() + ":"
                + node.port() + " did not answer: " + cause.getMessage(), null, null, null, null);
    }

    /** The container the request means, as Kubernetes picks it. */
    private static String container(JsonNode pod, String name, String asked) {
        List<String> containers = names(pod.path("spec").path("containers"));
        List<String> init = names(pod.path("spec").path("initContainers"));
        List<String> ephemeral = names(pod.path("spec").path("ephemeralContainers"));
        if (asked == null || asked.isEmpty()) {
            if (containers.size() == 1) {
                return containers.get(0);
            }
            String message = "a container name must be specified for pod " + name + ", choose one of: "
                    + list(containers);
            if (!init.isEmpty()) {
                message += " or one of the init containers: " + list(init);
            }
            throw ApiException.badRequest(message);
        }
        if (!containers.contains(asked) && !init.contains(asked) && !ephemeral.contains(asked)) {
            throw ApiException.badRequest("container " + asked + " is not valid for pod " + name);
        }
        return asked;
    }

    private static List<String> names(JsonNode containers) {
        List<String> names = new ArrayList<>();
        containers.forEach(container -> names.add(container.path("name").asText()));
        return names;
    }

    private static String list(List<String> names) {
        return names.stream().collect(Collectors.joining(" ", "[", "]"));
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode tree(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
