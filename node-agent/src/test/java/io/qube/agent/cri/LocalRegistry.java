package io.qube.agent.cri;

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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Debian's docker-registry (distribution 2.8) as a process of the test, on 127.0.0.1 and a free port (never 5000, which
 * a developer's registry may hold), storing into a temporary directory of its own, optionally behind htpasswd basic
 * auth. Images get in with skopeo from an OCI layout ({@link TestImages}). Closing it stops the process and deletes
 * its storage; its log stays in target/it-logs.
 */
public final class LocalRegistry implements AutoCloseable {

    /** A registry user; the registry only knows its bcrypt hash (the only htpasswd format it accepts). */
    public record Credentials(String user, String password) {

        /** As skopeo's --dest-creds and ctr's --user take them. */
        public String colonSeparated() {
            return user + ":" + password;
        }
    }

    private static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final Duration READY = Duration.ofSeconds(20);
    /** A free port can be taken by another process before the registry binds it: so few retries are needed. */
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final Path directory;
    private final Credentials credentials;

    private LocalRegistry(Process process, int port, Path directory, Credentials credentials) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.credentials = credentials;
    }

    /** A registry anyone on loopback may pull from and push to. */
    public static LocalRegistry start() {
        return start(null);
    }

    /** A registry that answers 401 to requests without the credentials' basic auth; {@code null}: without auth. */
    public static LocalRegistry start(Credentials credentials) {
        Path directory;
        try {
            directory = Files.createTempDirectory("qube-registry");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (credentials != null) {
                writeString(directory.resolve("htpasswd"), Commands.run(Duration.ofSeconds(30),
                        "htpasswd", "-Bbn", credentials.user(), credentials.password()).ok());
            }
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                Process process = launch(List.of(), directory, port, credentials != null, false, logOf(port));
                LocalRegistry registry = new LocalRegistry(process, port, directory, credentials);
                try {
                    if (registry.awaitReady()) {
                        return registry;
                    }
                } catch (RuntimeException | Error e) {
                    stop(process);
                    throw e;
                }
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException("docker-registry exited with " + process.exitValue()
                            + " on each of " + ATTEMPTS + " ports; see " + registry.log());
                }
            }
        } catch (RuntimeException | Error e) {
            TestFiles.deleteTree(directory);
            throw e;
        }
    }

    /**
     * @param prefix   what the command starts with (e.g. {@code ip netns exec NAME})
     * @param readOnly a mirror's: pulls only, so that two registries never write one storage
     */
    private static Process launch(List<String> prefix, Path directory, int port, boolean auth, boolean readOnly,
                                  Path log) {
        // the default configuration would listen on all interfaces, port 5000
        String config = """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    readonly:
                      enabled: %b
                http:
                  addr: 127.0.0.1:%d
                """.formatted(directory.resolve("storage"), readOnly, port);
        if (auth) {
            config += """
                    auth:
                      htpasswd:
                        realm: qube-test
                        path: %s
                    """.formatted(directory.resolve("htpasswd"));
        }
        Path file = writeString(directory.resolve("config-" + log.getFileName() + ".yml"), config);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(BINARY.toString(), "serve", file.toString()));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether it answers {@code /v2/} (401 counts when it asks for auth); false if it exited, e.g. port taken. */
    private boolean awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest base = HttpRequest.newBuilder(url("/v2/")).timeout(Duration.ofSeconds(5)).build();
        int expected = credentials == null ? 200 : 401;
        await().atMost(READY).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                return true;
            }
            try {
                int status = http.send(base, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != expected) {
                    throw new IllegalStateException("GET /v2/ answered " + status + ", not " + expected);
                }
                return true;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
        return process.isAlive();
    }

    /**
     * This registry's images, pull-only, at the same address inside the network namespace {@code netns} (made with
     * {@code ip netns}), whose loopback is its own: a second registry process there serving the same storage, so a
     * node in that namespace pulls the same image references. Closing it stops that process only.
     */
    public AutoCloseable mirrorIn(String netns) {
        Path log = TestFiles.logs().resolve("registry-" + port + "-" + netns + ".log");
        Process mirror = launch(List.of("ip", "netns", "exec", netns), directory, port, credentials != null, true,
                log);
        AutoCloseable stop = () -> stop(mirror);
        try {
            // Its address is only reachable inside the namespace: its log says when it listens.
            await().atMost(READY).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!mirror.isAlive()) {
                    throw new IllegalStateException("the registry mirror in " + netns + " exited with "
                            + mirror.exitValue() + "; see " + log);
                }
                return Files.readString(log).contains("listening on 127.0.0.1:" + port);
            });
        } catch (RuntimeException | Error e) {
            stop(mirror);
            throw e;
        }
        return stop;
    }

    /** Pushes the layout's image {@code layoutTag} as {@code repository:tag} and returns its reference. */
    public String push(Path layout, String layoutTag, String repository, String tag) {
        List<String> command = new ArrayList<>(List.of("skopeo", "copy",
                // no /etc/containers/policy.json needed: nothing here is signed
                "--insecure-policy",
                // plain HTTP on loopback
                "--dest-tls-verify=false"));
        if (credentials != null) {
            command.addAll(List.of("--dest-creds", credentials.colonSeparated()));
        }
        command.addAll(List.of("oci:" + layout + ":" + layoutTag, "docker://" + imageRef(repository, tag)));
        Commands.run(Duration.ofSeconds(60), command).ok();
        return imageRef(repository, tag);
    }

    /** {@code 127.0.0.1:<port>/<repository>:<tag>}, as an image field or CRI's PullImage names it. */
    public String imageRef(String repository, String tag) {
        return host() + "/" + repository + ":" + tag;
    }

    /** {@code 127.0.0.1:<port>}: the registry's host in image references and in registry auth. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public URI url(String path) {
        return URI.create("http://" + host() + path);
    }

    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    public Path log() {
        return logOf(port);
    }

    private static Path logOf(int port) {
        return TestFiles.logs().resolve("registry-" + port + ".log");
    }

    private static Path writeString(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to its PID, SIGKILL if it has not ended after a while; then its storage is deleted. */
    @Override
    public void close() {
        try {
            stop(process);
        } finally {
            TestFiles.deleteTree(directory);
        }
    }

    private static void stop(Process process) {
        try {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
