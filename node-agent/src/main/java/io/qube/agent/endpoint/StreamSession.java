package io.qube.agent.endpoint;

import io.qube.agent.runtime.Attachment;
import io.qube.agent.runtime.Execution;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;

/**
 * One {@code attach} or {@code exec} over the channel protocol ({@link ChannelSocket}): the client's stdin and
 * terminal size go to the container (or the command), its output comes back, read on a thread of its own. When the
 * output ends the session ends with the outcome: Success for an attach (the container's streams ended), the
 * command's exit code as the kubelet words it for an exec. A client that leaves closes the stream, not the
 * container.
 */
final class StreamSession {

    private static final Logger LOG = Logger.getLogger(StreamSession.class);

    /** The status the session ends with, once the output has ended. */
    private interface Outcome {
        String status() throws IOException;
    }

    private StreamSession() {
    }

    /** Relays an attach until the container ends or the client goes. */
    static void attach(ChannelSocket socket, Attachment attachment, boolean stdin, boolean stdout, boolean stderr) {
        run(socket, attachment, stdin, stdout, stderr, "attach", ChannelSocket::success);
    }

    /** Relays an exec until the command ends (then its exit code) or the client goes (then the command is ended). */
    static void exec(ChannelSocket socket, Execution execution, List<String> command, boolean stdin) {
        run(socket, execution, stdin, true, true, "exec", () -> {
            int code = execution.exitCode();
            return code == 0 ? ChannelSocket.success()
                    : ChannelSocket.failure("command terminated with non-zero exit code: error executing command "
                            + command + ", exit code " + code, code);
        });
    }

    private static void run(ChannelSocket socket, Attachment stream, boolean stdin, boolean stdout, boolean stderr,
                            String what, Outcome outcome) {
        socket.receive(new ChannelSocket.Input() {
            @Override
            public void stdin(byte[] data) {
                if (stdin) {
                    attempt(what, () -> stream.stdin(data));
                }
            }

            @Override
            public void closeStdin() {
                if (stdin) {
                    attempt(what, stream::closeStdin);
                }
            }

            @Override
            public void resize(int columns, int rows) {
                attempt(what, () -> stream.resize(columns, rows));
            }

            @Override
            public void closed() {
                attempt(what, stream::close);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                stream.output((channel, data) -> {
                    if (channel == Attachment.STDOUT && stdout || channel == Attachment.STDERR && stderr) {
                        socket.send((byte) channel, data, data.length);
                    }
                });
                socket.finish(outcome.status());
            } catch (IOException e) {
                socket.finish(ChannelSocket.failure(what + " ended: " + e.getMessage(), null));
            } finally {
                attempt(what, stream::close);
            }
        }, what + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void attempt(String what, Step step) {
        try {
            step.run();
        } catch (IOException e) {
            // the container or command ended meanwhile: the output's end reports it
            LOG.debugf("%s: %s", what, e.getMessage());
        }
    }
}
