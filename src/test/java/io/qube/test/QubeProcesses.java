package io.qube.test;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** Runs the packaged application as separate processes, the way an operator starts it, and stops them after. */
public final class QubeProcesses implements AutoCloseable {

    public static final Path APPLICATION = Path.of("target", "quarkus-app", "quarkus-run.jar");
    public static final Duration START = Duration.ofSeconds(120);
    public static final Duration STOP = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    /** Starts {@code java -jar quarkus-run.jar args}, its output going to {@code log}. */
    /**
     * Starts {@code count} apiserver processes on one database (the environment's), each with a data directory of
     * its own, and waits until each is ready.
     *
     * @return their ports, in start order
     */
    public int[] startApiServers(Map<String, String> environment, int count) throws IOException {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = freePort();
            Path directory = TestPostgres.newDataDirectory();
            Path log = directory.resolve("qube.log");
            Process qube = start(log, environment, "--data-dir", directory.toString(), "--port",
                    Integer.toString(ports[i]));
            awaitReady(qube, ports[i], log);
        }
        return ports;
    }

    public Process start(Path log, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", APPLICATION.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Whatever database the machine's environment names, these runs choose their own.
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Waits until the process answers ready on {@code port}; fails with its log if it exits first. */
    public void awaitReady(Process qube, int port, Path log) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!qube.isAlive()) {
                throw new AssertionError("Qube exited with " + qube.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops (SIGTERM) every process still running and waits for each. */
    @Override
    public void close() throws InterruptedException {
        for (Process qube : started) {
            qube.destroy();
            qube.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
        }
        started.clear();
    }
}
