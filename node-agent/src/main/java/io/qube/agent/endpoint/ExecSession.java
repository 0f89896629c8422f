package io.qube.agent.endpoint;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code exec} over the channel protocol ({@link ChannelSocket}): the command's output is read on threads of
 * its own; the outcome (its exit code as the kubelet words it) follows the last of it.
 */
final class ExecSession {

    private static final Logger LOG = Logger.getLogger(ExecSession.class);

    private final ChannelSocket socket;
    private final List<String> command;

    ExecSession(ChannelSocket socket, List<String> command) {
        this.socket = socket;
        this.command = command;
    }

    /** Runs the command (already placed in the container's namespaces) and relays it until it ends. */
    void run(ProcessBuilder builder, boolean stdin) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            socket.finish(ChannelSocket.failure("failed to start command " + command + ": " + e.getMessage(), null));
            return;
        }
        OutputStream input = process.getOutputStream();
        if (!stdin) {
            close(input);
        }
        socket.receive(new ChannelSocket.Input() {
            @Override
            public void stdin(byte[] data) {
                if (!stdin) {
                    return;
                }
                try {
                    input.write(data);
                    input.flush();
                } catch (IOException gone) {
                    // the command stopped reading; what it does next tells the outcome
                }
            }

            @Override
            public void closeStdin() {
                close(input);
            }

            @Override
            public void resize(int columns, int rows) {
                // script(1) gives the command a terminal of a fixed size
            }

            @Override
            public void closed() {
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
            }
        });
        List<Thread> readers = new ArrayList<>();
        readers.add(relay(process.getInputStream(), ChannelSocket.STDOUT));
        readers.add(relay(process.getErrorStream(), ChannelSocket.STDERR));
        Thread waiter = new Thread(() -> {
            try {
                int code = process.waitFor();
                for (Thread reader : readers) {
                    reader.join();
                }
                socket.finish(code == 0 ? ChannelSocket.success()
                        : ChannelSocket.failure("command terminated with non-zero exit code: error executing command "
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
                    socket.send(channel, buffer, read);
                }
            } catch (IOException e) {
                LOG.debugf("exec output ended: %s", e.getMessage());
            }
        }, "exec-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static void close(OutputStream input) {
        try {
            input.close();
        } catch (IOException ignored) {
            // already closed by the command's end
        }
    }
}
