package io.qube.apiserver.node;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The WebSocket subprotocols of Kubernetes' streaming channels, which the HTTP server must know to accept them in
 * a handshake ({@code kubectl exec} offers {@code v5.channel.k8s.io} first, fabric8 {@code v4.channel.k8s.io}).
 */
@ApplicationScoped
public class ChannelSubprotocols implements HttpServerOptionsCustomizer {

    /** In the order the server prefers them when a client offers several. */
    static final List<String> SERVED = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setWebSocketSubProtocols(SERVED);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setWebSocketSubProtocols(SERVED);
    }

    /** The subprotocol of the client's offer (the header's comma-separated list) the server takes, or null. */
    static String chosen(String offered) {
        if (offered == null) {
            return null;
        }
        for (String protocol : offered.split(",")) {
            if (SERVED.contains(protocol.trim())) {
                return protocol.trim();
            }
        }
        return null;
    }
}
