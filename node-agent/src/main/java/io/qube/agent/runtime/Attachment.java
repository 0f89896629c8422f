package io.qube.agent.runtime;

import java.io.Closeable;
import java.io.IOException;

/**
 * A connection to a running container's own streams, for {@code pods/attach}: what is written goes to the
 * container's stdin (when it has one open), and its output from now on comes to the sink.
 */
public interface Attachment extends Closeable {

    /** The output stream a chunk came from, as the channel protocol numbers them. */
    int STDOUT = 1;
    int STDERR = 2;

    void stdin(byte[] data) throws IOException;

    /** The end of stdin (a container with stdinOnce sees it too when the attachment closes). */
    void closeStdin() throws IOException;

    /** The terminal's new size, for a container with a tty. */
    void resize(int columns, int rows) throws IOException;

    /** Where output goes: each chunk with its stream ({@link #STDOUT}, {@link #STDERR}). */
    interface Sink {
        void output(int stream, byte[] data);
    }

    /** Reads the container's output until it ends (the container ended, or the attachment was closed). */
    void output(Sink sink) throws IOException;
}
