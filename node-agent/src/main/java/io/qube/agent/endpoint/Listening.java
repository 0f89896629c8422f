package io.qube.agent.endpoint;

import io.vertx.core.http.HttpServer;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starts a node's HTTP server from the agent's startup thread, which must know it listens before going on. */
public final class Listening {

    private static final long TIMEOUT_SECONDS = 30;

    private Listening() {
    }

    /**
     * The server, listening on {@code port} (0 picks a free one).
     *
     * @param what what the server is, for the failure's message
     */
    public static HttpServer listen(HttpServer server, int port, String what) throws IOException {
        try {
            return server.listen(port).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(what + " could not listen on port " + port + ": " + e.getMessage(), e);
        }
    }
}
