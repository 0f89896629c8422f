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
import java.nio.file.StandardCopyOption;

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
            Path directory = Files.createDirectories(path.toAbsolutePath().getParent());
            // Written aside and moved into place: whoever waits for the file (qube up's agent, a test) never reads
            // it half-written, since this runs after the server is already listening and answering.
            Path written = Files.createTempFile(directory, ".kubeconfig", ".tmp");
            Files.writeString(written, kubeconfig("http://127.0.0.1:" + port));
            Files.move(written, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.infof("Qube is listening on port %d. To use it:%n  export KUBECONFIG=%s%n  kubectl get namespaces",
                    port, path.toAbsolutePath());
        } catch (IOException e) {
            LOG.errorf("could not write the kubeconfig %s: %s", path, e.getMessage());
        }
    }
}
