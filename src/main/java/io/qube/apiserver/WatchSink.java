package io.qube.apiserver;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.streams.WriteStream;

/**
 * Where one watch's lines go: a chunked HTTP response or a WebSocket. Used only on the connection's own context.
 * Writes take no completion callback (a promise and a listener per event were a sixth of the cost of delivering
 * an event to 1,000 watchers); the stream is paced by the connection's write queue instead.
 */
interface WatchSink {

    /** Sends one line (the event's JSON and its newline). */
    void write(Buffer line);

    /** Whether the connection's outbound buffer is above its high-water mark: ask for no more events until drained. */
    boolean full();

    /** Called on the connection's context whenever a full outbound buffer has drained. */
    void onDrain(Runnable drained);

    void end();

    /** Newline-delimited JSON in an HTTP/1.1 chunked response whose headers are already sent. */
    static WatchSink chunked(HttpServerResponse response) {
        return new Paced(response) {
            @Override
            public void write(Buffer line) {
                response.write(line, null);
            }

            @Override
            public void end() {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            }
        };
    }

    /** One text frame per event: the same line as the chunked form, newline included. */
    static WatchSink webSocket(ServerWebSocket socket) {
        return new Paced(socket) {
            @Override
            public void write(Buffer line) {
                if (line.length() <= HttpServerOptions.DEFAULT_MAX_WEBSOCKET_FRAME_SIZE) {
                    // The shared line's bytes as they are (a slice, as a chunked write takes): a text message
                    // would decode them into a String and encode that again, for every watcher of the event.
                    socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, line.getByteBuf(), true));
                } else {
                    // A message split into frames of the size the server announces, as Vert.x splits it.
                    socket.writeTextMessage(line.toString());
                }
            }

            @Override
            public void end() {
                if (!socket.isClosed()) {
                    socket.close();
                }
            }
        };
    }

    /** Pacing by the connection's own write queue, which both forms have. */
    abstract class Paced implements WatchSink {
        private final WriteStream<Buffer> stream;

        Paced(WriteStream<Buffer> stream) {
            this.stream = stream;
        }

        @Override
        public boolean full() {
            return stream.writeQueueFull();
        }

        @Override
        public void onDrain(Runnable drained) {
            stream.drainHandler(v -> drained.run());
        }
    }
}
