package io.qube.apiserver.node;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The WebSocket subprotocols of Kubernetes' streaming endpoints, which the HTTP server must know to accept them in
 * a handshake: the channel protocols ({@code kubectl exec} offers {@code v5.channel.k8s.io} first, fabric8
 * {@code v4.channel.k8s.io}) and SPDY tunnelled in a WebSocket ({@code kubectl port-forward}).
 */
@ApplicationScoped
public class ChannelSubprotocols implements HttpServerOptionsCustomizer {

    /** The channel protocols, in the order the server prefers them when a client offers several. */
    static final List<String> CHANNELS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    /** client-go's SPDY/3.1 connection carried in binary WebSocket messages, for {@code portforward.k8s.io}. */
    static final String SPDY_PORT_FORWARD = "SPDY/3.1+portforward.k8s.io";
    private static final List<String> SERVED = List.of(CHANNELS.get(0), CHANNELS.get(1), SPDY_PORT_FORWARD);

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setWebSocketSubProtocols(SERVED);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setWebSocketSubProtocols(SERVED);
    }

    /** The first of {@code accepted} that the client's offer (a comma-separated list) names, or null. */
    static String chosen(String offered, List<String> accepted) {
        if (offered == null) {
            return null;
        }
        List<String> offers = List.of(offered.trim().split("\\s*,\\s*"));
        return accepted.stream().filter(offers::contains).findFirst().orElse(null);
    }
}
