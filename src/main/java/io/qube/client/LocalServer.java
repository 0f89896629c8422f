package io.qube.client;

import io.quarkus.runtime.LaunchMode;
import org.eclipse.microprofile.config.ConfigProvider;

/** Where this process's own API listens, once started: in-process clients reach it like any other client. */
public final class LocalServer {

    private LocalServer() {
    }

    /**
     * The port the HTTP server actually bound: Quarkus records it in its port property when it was asked for any
     * free port (0), which tests do.
     */
    public static int port() {
        String property = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return ConfigProvider.getConfig().getValue(property, Integer.class);
    }

    public static String url() {
        return "http://127.0.0.1:" + port();
    }
}
