package io.qube.apiserver;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

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
        return new WatchSink() {
            @Override
            public void write(Buffer line) {
                response.write(line, null);
            }

            @Override
            public boolean full() {
                return response.writeQueueFull();
            }

            @Override
            public void onDrain(Runnable drained) {
                response.drainHandler(v -> drained.run());
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
        return new WatchSink() {
            @Override
            public void write(Buffer line) {
                socket.writeTextMessage(line.toString());
            }

            @Override
            public boolean full() {
                return socket.writeQueueFull();
            }

            @Override
            public void onDrain(Runnable drained) {
                socket.drainHandler(v -> drained.run());
            }

            @Override
            public void end() {
                if (!socket.isClosed()) {
                    socket.close();
                }
            }
        };
    }
}
