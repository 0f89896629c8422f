package io.qube.launcher;

import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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

    void write(@Observes HttpServerStart started) {
        settings.kubeconfig().ifPresent(path -> write(path, started.options().getHost(), started.options().getPort()));
    }

    static String kubeconfig(String host, int port) {
        String server = "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + port;
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

    private static void write(Path path, String host, int port) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, kubeconfig(host, port));
            LOG.infof("Qube is listening on port %d. To use it:%n  export KUBECONFIG=%s%n  kubectl get namespaces",
                    port, path.toAbsolutePath());
        } catch (IOException e) {
            LOG.errorf("could not write the kubeconfig %s: %s", path, e.getMessage());
        }
    }
}
