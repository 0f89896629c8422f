package io.qube.apiserver;

import io.micrometer.core.instrument.Counter;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.store.WatchEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Sends watch events to one client, as chunked newline-delimited JSON or, when the client upgrades, as one
 * WebSocket text frame per event.
 *
 * <p>Events arrive on the watch cache's follower thread, which offers each change to every watcher of its type in
 * turn. This class only queues them there and hands them to the connection's own context, which encodes and writes
 * them: the follower's work per watcher stays small, and the writes of one change to many connections run on all
 * event loops at once instead of one after another on the follower's thread. Every event of this stream goes
 * through the queue and one task at a time on that context, so the client gets them in the order they came.
 *
 * <p>Events are requested from the store only as fast as the connection takes them (up to {@link #IN_FLIGHT}
 * asked for ahead, and more only while the connection's outbound buffer is below its high-water mark), so a slow
 * client fills its own bounded queue in the watch cache, not this process's memory, and is ended there with
 * Expired.
 */
final class WatchStream implements MultiSubscriber<WatchEvent> {

    private static final Logger LOG = Logger.getLogger(WatchStream.class);
    private static final int IN_FLIGHT = 16;
    /**
     * Written events are asked for again in steps of this many, not one by one: each request goes through the
     * watcher's lock, which the follower takes for every event too, so fewer requests mean less contention.
     */
    private static final int REPLENISH = IN_FLIGHT / 2;

    private final ResourceDefinition<?> definition;
    private final Context context;
    private final WatchSink sink;
    private final Function<WatchEvent, Buffer> encoder;
    /** apiserver_watch_events_total of this stream's kind, counted once per flush. */
    private final Counter sent;
    private final Queue<WatchEvent> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Flow.Subscription subscription;
    private volatile boolean upstreamEnded;
    private volatile Throwable failure;
    private volatile boolean closed;
    /** Events written and not yet asked for again (see {@link #REPLENISH}); only touched on the context. */
    private long owed;

    private WatchStream(ResourceDefinition<?> definition, Context context, WatchSink sink, Counter sent,
                        Function<WatchEvent, Buffer> encoder) {
        this.definition = definition;
        this.sent = sent;
        this.context = context;
        this.sink = sink;
        this.encoder = encoder;
        sink.onDrain(this::requestOwed);
    }

    /**
     * Streams {@code events} to the request, upgrading to a WebSocket when the client asked for one. Runs on the
     * connection's context, which then writes every event.
     *
     * @param encoder an event's line (its JSON and a newline); called on the connection's context, one at a time
     */
    static void start(RoutingContext routing, Vertx vertx, ResourceDefinition<?> definition, Counter sent,
                      Multi<WatchEvent> events, long timeoutSeconds, Function<WatchEvent, Buffer> encoder) {
        if ("websocket".equalsIgnoreCase(routing.request().getHeader("Upgrade"))) {
            routing.request().toWebSocket().onSuccess(socket -> {
                WatchStream stream = new WatchStream(definition, vertx.getOrCreateContext(),
                        WatchSink.webSocket(socket), sent, encoder);
                RequestMetrics.onClose(routing, socket, v -> stream.cancel());
                stream.run(vertx, events, timeoutSeconds);
            }).onFailure(failure -> Responses.failure(routing, ApiException.badRequest(
                    "the WebSocket upgrade failed: " + failure.getMessage())));
            return;
        }
        HttpServerResponse response = routing.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", Responses.JSON)
                .putHeader("Transfer-Encoding", "chunked");
        // Clients wait for the headers before they consider the watch open: send them now, not with the first event.
        response.write(Buffer.buffer());
        WatchStream stream = new WatchStream(definition, vertx.getOrCreateContext(), WatchSink.chunked(response),
                sent, encoder);
        response.closeHandler(v -> stream.cancel());
        stream.run(vertx, events, timeoutSeconds);
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

    /** On whichever thread offers the event (usually the follower's): queue it for the connection's context. */
    @Override
    public void onItem(WatchEvent event) {
        if (!closed) {
            arrived.add(event);
            schedule();
        }
    }

    @Override
    public void onFailure(Throwable failed) {
        failure = failed;
        upstreamEnded = true;
        schedule();
    }

    @Override
    public void onCompletion() {
        upstreamEnded = true;
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> flush());
        }
    }

    /** On the connection's context: writes what arrived, in order, then asks for as many more as the client took. */
    private void flush() {
        // Cleared first, so an event queued from now on schedules another flush even if this one misses it.
        scheduled.set(false);
        // Read before draining: upstream ends only after its last event, which is then already in the queue.
        boolean ended = upstreamEnded;
        long written = 0;
        WatchEvent event;
        try {
            while (!closed && (event = arrived.poll()) != null) {
                sink.write(encoder.apply(event));
                written++;
                if (event.type() == WatchEvent.Type.ERROR) {
                    finish();
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "a watch event of %s could not be sent", definition.plural());
            failure = e;
            ended = true;
        }
        if (written > 0) {
            sent.increment(written);
        }
        if (closed) {
            arrived.clear();
        } else if (ended) {
            Throwable failed = failure;
            try {
                if (failed != null) {
                    LOG.debugf("watch of %s failed: %s", definition.plural(), failed.getMessage());
                    sink.write(WatchLines.line("{\"type\":\"ERROR\",\"object\":" + Responses.status(failed) + "}"));
                }
            } finally {
                finish();
            }
        } else {
            owed += written;
            if (owed >= REPLENISH && !sink.full()) {
                requestOwed();
            }
        }
    }

    /** On the connection's context, after a flush or once a full outbound buffer drained. */
    private void requestOwed() {
        Flow.Subscription s = subscription;
        if (owed > 0 && s != null && !closed) {
            long n = owed;
            owed = 0;
            s.request(n);
        }
    }

    private void finish() {
        if (!closed) {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            sink.end();
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
            default -> "{\"type\":\"" + event.type() + "\",\"object\":" + ObjectCodec.toWire(event.object(), definition.apiVersion())
                    + "}";
        };
    }
}
