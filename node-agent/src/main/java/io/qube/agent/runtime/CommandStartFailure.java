package io.qube.agent.runtime;

import java.io.IOException;

/**
 * A command the runtime could not start in a running container (no such executable, ...). The kubelet reports the
 * runtime's start failure inside the exec's stream, after the upgrade, so the node endpoint answers it there too
 * rather than refusing the request as it does for a container that is not running.
 */
public final class CommandStartFailure extends IOException {

    public CommandStartFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
