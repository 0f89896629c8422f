package io.qube.launcher;

import io.qube.test.Kubectl;
import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The README's first command: {@code ./qube up} starts Qube, writes a kubeconfig that kubectl can use, and says so. */
class QubeUpIT {

    @Test
    void qubeUpStartsWritesAKubeconfigAndStopsCleanly() throws Exception {
        Path dataDirectory = TestPostgres.newDataDirectory();
        int port = QubeProcesses.freePort();
        Path log = dataDirectory.resolve("qube-up.log");
        ProcessBuilder builder = new ProcessBuilder("./qube", "up", "--data-dir", dataDirectory.toString(),
                "--port", Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        Process qube = builder.start();
        try {
            new QubeProcesses().awaitReady(qube, port, log);
            Path kubeconfig = dataDirectory.resolve("kubeconfig");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(kubeconfig));
            assertThat(Files.readString(kubeconfig)).contains("server: http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log)
                    .contains("export KUBECONFIG=" + kubeconfig.toAbsolutePath()));

            Kubectl.assumeInstalled();
            Kubectl.Result namespaces = Kubectl.against(URI.create("http://127.0.0.1:" + port))
                    .run("get", "namespaces", "-o", "name");
            assertThat(namespaces.stdout()).contains("namespace/default").contains("namespace/kube-system");
        } finally {
            qube.destroy();
            assertThat(qube.waitFor(QubeProcesses.STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(dataDirectory.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
    }
}
