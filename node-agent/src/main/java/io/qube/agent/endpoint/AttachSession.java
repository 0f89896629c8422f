package io.qube.agent.endpoint;

import io.qube.agent.runtime.Attachment;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * One {@code attach} over the channel protocol ({@link ChannelSocket}): the client's stdin and terminal size go to
 * the running container, its output from now on comes back; the session ends with Success when the container's
 * streams end (it exited) and closes the attachment, not the container, when the client leaves.
 */
final class AttachSession {

    private static final Logger LOG = Logger.getLogger(AttachSession.class);

    private AttachSession() {
    }

    /** Relays until the container ends or the client goes; the output is read on a thread of its own. */
    static void run(ChannelSocket socket, Attachment attachment, boolean stdin, boolean stdout, boolean stderr) {
        socket.receive(new ChannelSocket.Input() {
            @Override
            public void stdin(byte[] data) {
                if (stdin) {
                    attempt(() -> attachment.stdin(data));
                }
            }

            @Override
            public void closeStdin() {
                if (stdin) {
                    attempt(attachment::closeStdin);
                }
            }

            @Override
            public void resize(int columns, int rows) {
                attempt(() -> attachment.resize(columns, rows));
            }

            @Override
            public void closed() {
                attempt(attachment::close);
            }
        });
        Thread reader = new Thread(() -> {
            try {
                attachment.output((stream, data) -> {
                    if (stream == Attachment.STDOUT && stdout || stream == Attachment.STDERR && stderr) {
                        socket.send((byte) stream, data, data.length);
                    }
                });
                socket.finish(ChannelSocket.success());
            } catch (IOException e) {
                socket.finish(ChannelSocket.failure("attach ended: " + e.getMessage(), null));
            } finally {
                attempt(attachment::close);
            }
        }, "attach-output");
        reader.setDaemon(true);
        reader.start();
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void attempt(Step step) {
        try {
            step.run();
        } catch (IOException e) {
            // the container ended meanwhile: the output's end reports it
            LOG.debugf("attach: %s", e.getMessage());
        }
    }
}
