package io.qube.agent.endpoint;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The socket side of Kubernetes' WebSocket channel protocol ({@code v4.channel.k8s.io}, {@code v5.channel.k8s.io}),
 * shared by exec and attach: each binary message starts with its channel, 0 stdin, 1 stdout, 2 stderr, 3 the
 * outcome as a Status, 4 terminal resize ({@code {"Width":W,"Height":H}}); v5's channel 255 closes a stream
 * (stdin's end). Output may be sent from any thread: it is written through the connection's Vert.x context; the
 * outcome goes last, then the socket closes, as the kubelet's streaming server does.
 */
final class ChannelSocket {

    static final List<String> PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    static final byte STDIN = 0;
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final byte RESIZE = 4;
    private static final byte CLOSE = (byte) 255;

    /** What the client sends, as the session hands it on. */
    interface Input {
        void stdin(byte[] data);

        void closeStdin();

        void resize(int columns, int rows);

        /** The client went away. */
        void closed();
    }

    private final ServerWebSocket socket;
    private final Context context;

    ChannelSocket(ServerWebSocket socket, Context context) {
        this.socket = socket;
        this.context = context;
    }

    void receive(Input input) {
        socket.binaryMessageHandler(message -> {
            if (message.length() == 0) {
                return;
            }
            byte channel = message.getByte(0);
            if (channel == STDIN) {
                input.stdin(message.getBytes(1, message.length()));
            } else if (channel == CLOSE && message.length() > 1 && message.getByte(1) == STDIN) {
                input.closeStdin();
            } else if (channel == RESIZE) {
                try {
                    JsonObject size = new JsonObject(message.getBuffer(1, message.length()));
                    input.resize(size.getInteger("Width", 0), size.getInteger("Height", 0));
                } catch (RuntimeException malformed) {
                    // a size that cannot be read leaves the terminal as it is
                }
            }
        });
        socket.closeHandler(v -> input.closed());
    }

    void send(byte channel, byte[] data, int length) {
        Buffer frame = Buffer.buffer(length + 1).appendByte(channel).appendBytes(data, 0, length);
        context.runOnContext(v -> {
            if (!socket.isClosed()) {
                socket.writeBinaryMessage(frame);
            }
        });
    }

    /** Sends the outcome (a Status) and closes the socket. */
    void finish(String status) {
        Buffer frame = Buffer.buffer().appendByte(ERROR).appendString(status);
        context.runOnContext(v -> {
            if (!socket.isClosed()) {
                socket.writeBinaryMessage(frame).onComplete(done -> socket.close());
            }
        });
    }

    static String success() {
        return "{\"metadata\":{},\"status\":\"Success\"}";
    }

    /** The Status the kubelet sends on the error channel when the command failed ({@code code}: its exit code). */
    static String failure(String message, Integer code) {
        String escaped = message.replace("\\", "\\\\").replace("\"", "\\\"");
        if (code == null) {
            return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + escaped + "\"}";
        }
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + escaped + "\",\"reason\":\"NonZeroExitCode\","
                + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
    }
}
