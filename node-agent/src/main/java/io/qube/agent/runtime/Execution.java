package io.qube.agent.runtime;

import java.io.IOException;

/**
 * A command running in a container for {@code pods/exec}: its stdin, terminal size and output as an
 * {@link Attachment}'s, and, once its output has ended, its exit code.
 */
public interface Execution extends Attachment {

    /**
     * The command's exit code; blocks until it is known, which is after {@link #output} has returned.
     *
     * @throws IOException when the runtime could not tell (the stream broke before the outcome came)
     */
    int exitCode() throws IOException;
}
