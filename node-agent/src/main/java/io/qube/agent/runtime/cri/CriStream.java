package io.qube.agent.runtime.cri;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.agent.runtime.Execution;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An exec or attach through the runtime's streaming server (the URL CRI's {@code Exec} or {@code Attach} answers),
 * spoken as Kubernetes' WebSocket channel protocol: channel 0 stdin, 1 stdout, 2 stderr, 3 the outcome (an exec's
 * Status, with its exit code), 4 resize; v5's 255 closes stdin.
 */
final class CriStream implements Execution {

    private static final byte[] END = new byte[0];
    private static final byte OUTCOME = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One client for every stream: each HttpClient holds a selector thread and a pool of its own. */
    private static final HttpClient STREAMS = HttpClient.newHttpClient();

    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<byte[]> outcome = new CompletableFuture<>();
    private final WebSocket socket;

    private CriStream(URI url) throws IOException {
        try {
            socket = STREAMS.newWebSocketBuilder()
                    .subprotocols("v5.channel.k8s.io", "v4.channel.k8s.io")
                    .buildAsync(url, new Frames()).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the runtime's streaming server at " + url + " refused the stream: "
                    + e.getMessage(), e);
        }
    }

    /** @param url the runtime's streaming URL (http://...), as CRI's Exec or Attach answers it */
    static CriStream connect(String url) throws IOException {
        return new CriStream(URI.create(url.replaceFirst("^http", "ws")));
    }

    /** Gathers each binary message (which may come in parts) into one frame. */
    private final class Frames implements WebSocket.Listener {
        private final java.io.ByteArrayOutputStream parts = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            parts.writeBytes(bytes);
            if (last) {
                byte[] frame = parts.toByteArray();
                parts.reset();
                if (frame.length > 0 && frame[0] == OUTCOME) {
                    outcome.complete(frame);
                } else {
                    frames.add(frame);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            frames.add(END);
            outcome.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            frames.add(END);
            outcome.complete(null);
        }
    }

    @Override
    public void stdin(byte[] data) throws IOException {
        byte[] frame = new byte[data.length + 1];
        System.arraycopy(data, 0, frame, 1, data.length);
        send(frame);
    }

    @Override
    public void closeStdin() throws IOException {
        if ("v5.channel.k8s.io".equals(socket.getSubprotocol())) {
            send(new byte[] {(byte) 255, 0});
        }
    }

    @Override
    public void resize(int columns, int rows) throws IOException {
        byte[] size = ("{\"Width\":" + columns + ",\"Height\":" + rows + "}").getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[size.length + 1];
        frame[0] = 4;
        System.arraycopy(size, 0, frame, 1, size.length);
        send(frame);
    }

    /** One send at a time: the JDK's WebSocket refuses a send while another is under way. */
    private synchronized void send(byte[] frame) throws IOException {
        try {
            socket.sendBinary(ByteBuffer.wrap(frame), true).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the runtime's stream: " + e.getMessage(), e);
        }
    }

    @Override
    public void output(Sink sink) throws IOException {
        try {
            while (true) {
                byte[] frame = frames.take();
                if (frame == END) {
                    return;
                }
                if (frame.length > 1 && (frame[0] == STDOUT || frame[0] == STDERR)) {
                    byte[] data = new byte[frame.length - 1];
                    System.arraycopy(frame, 1, data, 0, data.length);
                    sink.output(frame[0], data);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * From the outcome's Status: 0 for Success, else the ExitCode cause's number (the kubelet's way of saying a
     * command ended non-zero).
     */
    @Override
    public int exitCode() throws IOException {
        byte[] frame;
        try {
            frame = outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (frame == null) {
            throw new IOException("the runtime's stream ended without the command's outcome");
        }
        return exitCodeOf(JSON.readTree(frame, 1, frame.length - 1));
    }

    static int exitCodeOf(JsonNode status) throws IOException {
        if ("Success".equals(status.path("status").asText())) {
            return 0;
        }
        for (JsonNode cause : status.path("details").path("causes")) {
            if ("ExitCode".equals(cause.path("reason").asText())) {
                try {
                    return Integer.parseInt(cause.path("message").asText());
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IOException("the command failed: " + status.path("message").asText(status.toString()));
    }

    @Override
    public void close() {
        socket.abort();
        frames.add(END);
        outcome.complete(null);
    }
}
