package io.qube.agent.endpoint;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code exec} over Kubernetes' WebSocket channel protocol ({@code v4.channel.k8s.io}, {@code
 * v5.channel.k8s.io}): each binary message starts with its channel, 0 stdin, 1 stdout, 2 stderr, 3 the
 * outcome as a Status, 4 terminal resize; v5's channel 255 closes a stream (stdin's end). The command's output
 * is read on threads of its own; the outcome follows the last of it, then the socket closes, as the kubelet's
 * streaming server does.
 */
final class ExecSession {

    static final List<String> PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    private static final Logger LOG = Logger.getLogger(ExecSession.class);
    private static final byte STDIN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final byte CLOSE = (byte) 255;

    private final ServerWebSocket socket;
    private final Context context;
    private final List<String> command;

    ExecSession(ServerWebSocket socket, Context context, List<String> command) {
        this.socket = socket;
        this.context = context;
        this.command = command;
    }

    /** Runs the command (already placed in the container's namespaces) and relays it until it ends. */
    void run(ProcessBuilder builder, boolean stdin) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            finish(failure("failed to start command " + command + ": " + e.getMessage(), null));
            return;
        }
        OutputStream input = process.getOutputStream();
        if (!stdin) {
            close(input);
        }
        socket.binaryMessageHandler(message -> {
            if (message.length() == 0) {
                return;
            }
            byte channel = message.getByte(0);
            if (channel == STDIN && stdin) {
                try {
                    input.write(message.getBytes(1, message.length()));
                    input.flush();
                } catch (IOException gone) {
                    // the command stopped reading; what it does next tells the outcome
                }
            } else if (channel == CLOSE && message.length() > 1 && message.getByte(1) == STDIN) {
                close(input);
            }
        });
        socket.closeHandler(v -> {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        });
        List<Thread> readers = new ArrayList<>();
        readers.add(relay(process.getInputStream(), STDOUT));
        readers.add(relay(process.getErrorStream(), STDERR));
        Thread waiter = new Thread(() -> {
            try {
                int code = process.waitFor();
                for (Thread reader : readers) {
                    reader.join();
                }
                finish(code == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                        : failure("command terminated with non-zero exit code: error executing command "
                                + command + ", exit code " + code, code));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "exec-wait");
        waiter.setDaemon(true);
        waiter.start();
    }

    private Thread relay(InputStream stream, byte channel) {
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                int read;
                while ((read = stream.read(buffer)) > 0) {
                    Buffer frame = Buffer.buffer(read + 1).appendByte(channel).appendBytes(buffer, 0, read);
                    context.runOnContext(v -> {
                        if (!socket.isClosed()) {
                            socket.writeBinaryMessage(frame);
                        }
                    });
                }
            } catch (IOException e) {
                LOG.debugf("exec output ended: %s", e.getMessage());
            }
        }, "exec-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
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

    private void finish(String status) {
        Buffer frame = Buffer.buffer().appendByte(ERROR).appendString(status);
        context.runOnContext(v -> {
            if (!socket.isClosed()) {
                socket.writeBinaryMessage(frame).onComplete(done -> socket.close());
            }
        });
    }

    private static void close(OutputStream input) {
        try {
            input.close();
        } catch (IOException ignored) {
            // already closed by the command's end
        }
    }
}
