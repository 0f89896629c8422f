package io.qube.apiserver;

import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.WatchEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * Sends watch events to one client, as chunked newline-delimited JSON or, when the client upgrades, as one
 * WebSocket text frame per event. Events are requested from the store only as fast as the connection takes them,
 * so a slow client fills its own bounded queue in the watch cache, not this process's memory.
 */
final class WatchStream implements MultiSubscriber<WatchEvent> {

    private static final Logger LOG = Logger.getLogger(WatchStream.class);
    private static final int IN_FLIGHT = 16;

    private final ResourceDefinition<?> definition;
    private final Function<Buffer, Future<Void>> sink;
    private final Runnable end;
    private final Function<WatchEvent, String> encoder;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;

    private WatchStream(ResourceDefinition<?> definition, Function<Buffer, Future<Void>> sink, Runnable end,
                        Function<WatchEvent, String> encoder) {
        this.definition = definition;
        this.sink = sink;
        this.end = end;
        this.encoder = encoder;
    }

    /** Streams {@code events} to the request, upgrading to a WebSocket when the client asked for one. */
    static void start(RoutingContext context, Vertx vertx, ResourceDefinition<?> definition,
                      Multi<WatchEvent> events, long timeoutSeconds, Function<WatchEvent, String> encoder) {
        if ("websocket".equalsIgnoreCase(context.request().getHeader("Upgrade"))) {
            context.request().toWebSocket().onSuccess(socket -> {
                WatchStream stream = new WatchStream(definition, buffer -> socket.writeTextMessage(buffer.toString()),
                        () -> close(socket), encoder);
                socket.closeHandler(v -> stream.cancel());
                stream.run(vertx, events, timeoutSeconds);
            }).onFailure(failure -> Responses.failure(context, ApiException.badRequest(
                    "the WebSocket upgrade failed: " + failure.getMessage())));
            return;
        }
        HttpServerResponse response = context.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", Responses.JSON)
                .putHeader("Transfer-Encoding", "chunked");
        // Clients wait for the headers before they consider the watch open: send them now, not with the first event.
        response.write(Buffer.buffer());
        WatchStream stream = new WatchStream(definition, response::write, () -> {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }, encoder);
        response.closeHandler(v -> stream.cancel());
        stream.run(vertx, events, timeoutSeconds);
    }

    private static void close(ServerWebSocket socket) {
        if (!socket.isClosed()) {
            socket.close();
        }
    }

    private void run(Vertx vertx, Multi<WatchEvent> events, long timeoutSeconds) {
        long timer = vertx.setTimer(Math.max(1, timeoutSeconds) * 1000, id -> finish());
        events.onTermination().invoke(() -> vertx.cancelTimer(timer)).subscribe().withSubscriber(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(IN_FLIGHT);
        }
    }

    @Override
    public void onItem(WatchEvent event) {
        if (closed) {
            return;
        }
        sink.apply(Buffer.buffer(encoder.apply(event)).appendByte((byte) '\n')).onComplete(written -> {
            Flow.Subscription s = subscription;
            if (written.succeeded() && s != null && !closed) {
                s.request(1);
            }
        });
        if (event.type() == WatchEvent.Type.ERROR) {
            finish();
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        if (!closed) {
            LOG.debugf("watch of %s failed: %s", definition.plural(), failure.getMessage());
            sink.apply(Buffer.buffer("{\"type\":\"ERROR\",\"object\":" + Responses.status(failure) + "}\n"));
        }
        finish();
    }

    @Override
    public void onCompletion() {
        finish();
    }

    private void finish() {
        if (!closed) {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            end.run();
        }
    }

    private void cancel() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** The JSON of one event as Kubernetes sends it. */
    static String encode(ResourceDefinition<?> definition, WatchEvent event) {
        return switch (event.type()) {
            case BOOKMARK -> "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + definition.kind()
                    + "\",\"apiVersion\":\"" + definition.apiVersion() + "\",\"metadata\":{\"resourceVersion\":\""
                    + event.revision() + "\"}}}";
            case ERROR -> "{\"type\":\"ERROR\",\"object\":" + Responses.status(ApiException.from(event.error(),
                    definition.group(), definition.plural())) + "}";
            default -> "{\"type\":\"" + event.type() + "\",\"object\":" + ObjectCodec.toWire(event.object()) + "}";
        };
    }
}
