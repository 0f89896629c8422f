package io.qube.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One packaged Qube process ({@code java -jar target/quarkus-app/quarkus-run.jar}), as an operator starts it. */
final class QubeServer implements AutoCloseable {

    static final Path APPLICATION = Path.of("target", "quarkus-app", "quarkus-run.jar");

    final String name;
    final Path directory;
    final int port;
    final Process process;
    final Path log;

    private QubeServer(String name, Path directory, int port, Process process, Path log) {
        this.name = name;
        this.directory = directory;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts Qube with its data in {@code directory} (its embedded PostgreSQL in DIR/postgres unless
     * {@code environment} names a database) and waits until it answers ready.
     */
    static QubeServer start(String name, Path directory, Map<String, String> environment, List<String> jvmOptions)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(APPLICATION)) {
            throw new IllegalStateException(APPLICATION + " is missing: run ./mvnw -DskipTests package first");
        }
        Files.createDirectories(directory);
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", APPLICATION.toString(), "--data-dir", directory.toString(),
                "--port", Integer.toString(port)));
        Path log = directory.resolve("qube.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().putAll(environment);
        QubeServer server = new QubeServer(name, directory, port, Children.started(builder.start()), log);
        server.awaitReady(Duration.ofSeconds(180));
        return server;
    }

    long pid() {
        return process.pid();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The data directory of the embedded PostgreSQL this process started, if it started one. */
    Path embeddedPostgres() {
        return directory.resolve("postgres");
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url("/q/health/ready"))).timeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Qube (" + name + ") exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException | java.net.http.HttpTimeoutException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Qube (" + name + ") not ready after " + timeout + "; log: " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM, as Ctrl-C would; forcibly after a minute. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
