package io.qube.client;

import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;

/** Where this process's own API listens, once started: in-process clients reach it like any other client. */
public final class LocalServer {

    private LocalServer() {
    }

    /** The port the HTTP server actually bound (which differs from the configured one when that was 0). */
    public static int port(ValueRegistry values) {
        return values.get(HttpServer.HTTP_SERVER).getPort();
    }

    public static String url(ValueRegistry values) {
        return "http://127.0.0.1:" + port(values);
    }
}
