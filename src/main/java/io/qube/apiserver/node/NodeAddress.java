package io.qube.apiserver.node;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a node's agent listens, from its Node object: the InternalIP (else the first address) and
 * {@code status.daemonEndpoints.kubeletEndpoint.Port}.
 */
public record NodeAddress(String host, int port) {

    /** Null when the Node advertises no address or port. */
    public static NodeAddress of(JsonNode node) {
        JsonNode status = node.path("status");
        int port = status.path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        String host = null;
        for (JsonNode address : status.path("addresses")) {
            if (address.path("type").asText().equals("InternalIP")) {
                host = address.path("address").asText();
                break;
            }
            if (host == null) {
                host = address.path("address").asText(null);
            }
        }
        return host == null || port <= 0 ? null : new NodeAddress(host, port);
    }
}
