package io.qube.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The real control plane for the agent's tests: the application the root project packages, started as its own
 * process with an embedded PostgreSQL in a fresh data directory, stopped and removed after. The agent talks to it
 * only through the API, as in production.
 */
final class QubeServer implements AutoCloseable {

    private static final Path APPLICATION = Path.of("..", "target", "quarkus-app", "quarkus-run.jar");

    private final Path dataDir;
    private Process process;
    private final int port;
    private final Map<String, String> settings;

    private QubeServer(Path dataDir, Process process, int port, Map<String, String> settings) {
        this.dataDir = dataDir;
        this.process = process;
        this.port = port;
        this.settings = settings;
    }

    static QubeServer start() throws IOException {
        return start(Map.of());
    }

    /** With configuration properties ({@code qube.controllers...}) passed as system properties. */
    static QubeServer start(Map<String, String> settings) throws IOException {
        if (!Files.isRegularFile(APPLICATION)) {
            throw new IllegalStateException(APPLICATION.toAbsolutePath() + " is missing: build the control plane "
                    + "first (./mvnw verify in the repository root, as the README's test command does)");
        }
        Path dataDir = Files.createTempDirectory("qube-agent-test");
        int port = freePort();
        QubeServer server = new QubeServer(dataDir, launch(dataDir, port, settings), port, Map.copyOf(settings));
        server.awaitReady(dataDir.resolve("qube.log"));
        return server;
    }

    private static Process launch(Path dataDir, int port, Map<String, String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m"));
        // Room for the benchmarks' 1,000 simulated nodes: the default cluster CIDR gives 256 nodes a pod CIDR.
        command.add("-Dqube.controllers.node-ipam.cluster-cidr=10.64.0.0/10");
        settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
        // A benchmark may profile the control plane, e.g. -Dbench.server.jvm-args=-XX:StartFlightRecording=...
        String extra = System.getProperty("bench.server.jvm-args", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", APPLICATION.toString(), "--data-dir", dataDir.resolve("data").toString(),
                "--port", Integer.toString(port)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("qube.log").toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        return builder.start();
    }

    /** Stops the control plane; the API is unreachable until {@link #startAgain()}. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts the stopped control plane again on the same data and port. */
    void startAgain() throws IOException {
        process = launch(dataDir, port, settings);
        awaitReady(dataDir.resolve("qube.log"));
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("Qube exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            // The kubeconfig is written once the server listens, asynchronously: ready can come first.
            if (!Files.isRegularFile(kubeconfig())) {
                return false;
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
    }

    /** The control plane's process id, for the benchmark's CPU and memory figures. */
    long pid() {
        return process.pid();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The port its API listens on (at 127.0.0.1). */
    int port() {
        return port;
    }

    /** The kubeconfig `qube up` wrote into its data directory. */
    Path kubeconfig() {
        return dataDir.resolve("data").resolve("kubeconfig");
    }

    KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(Config.empty()).editOrNewConfig().withMasterUrl(url() + "/")
                .withRequestTimeout(60_000).endConfig().build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

}
