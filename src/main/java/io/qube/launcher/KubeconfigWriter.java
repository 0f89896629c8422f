package io.qube.launcher;

import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import io.qube.client.LocalServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a kubeconfig for the running server, so that kubectl and client libraries find it, and says how to use it. */
@ApplicationScoped
public class KubeconfigWriter {

    private static final Logger LOG = Logger.getLogger(KubeconfigWriter.class);

    @Inject
    LauncherSettings settings;

    @Inject
    ValueRegistry values;

    /** On the server's start event: only then does the configuration hold the port it actually bound. */
    void write(@ObservesAsync HttpServerStart started) {
        settings.kubeconfig().ifPresent(path -> write(path, LocalServer.port(values)));
    }

    /** A kubeconfig with one context, "qube", for the server at {@code server} (no TLS, no credentials yet). */
    public static String kubeconfig(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: qube
                  cluster:
                    server: %s
                contexts:
                - name: qube
                  context:
                    cluster: qube
                    user: qube
                    namespace: default
                current-context: qube
                users:
                - name: qube
                  user: {}
                """.formatted(server);
    }

    private static void write(Path path, int port) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, kubeconfig("http://127.0.0.1:" + port));
            LOG.infof("Qube is listening on port %d. To use it:%n  export KUBECONFIG=%s%n  kubectl get namespaces",
                    port, path.toAbsolutePath());
        } catch (IOException e) {
            LOG.errorf("could not write the kubeconfig %s: %s", path, e.getMessage());
        }
    }
}
