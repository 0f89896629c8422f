package io.qube.test;

import io.qube.launcher.KubeconfigWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real kubectl binary against a test server. Each instance has its own HOME with a kubeconfig for the
 * server, so kubectl's discovery and OpenAPI caches (under ~/.kube/cache) never leak between test runs.
 */
public final class Kubectl {

    /** What one kubectl command did. */
    public record Result(List<String> args, int exitCode, String stdout, String stderr) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** For assertion messages: the command and everything it printed. */
        public String describe() {
            return "kubectl " + String.join(" ", args) + " exited " + exitCode + "\n--- stdout\n" + stdout
                    + "--- stderr\n" + stderr;
        }
    }

    private static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    private final Path home;
    private final Path kubeconfig;

    private Kubectl(Path home, Path kubeconfig) {
        this.home = home;
        this.kubeconfig = kubeconfig;
    }

    /** Whether a kubectl executable is on the PATH. */
    public static boolean installed() {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, "kubectl")));
    }

    /** Skips the calling test, loudly, when kubectl is absent; CI machines have it, so a skip there is a finding. */
    public static void assumeInstalled() {
        if (!installed()) {
            System.err.println("*** kubectl is not on the PATH: SKIPPING the tests that drive the real kubectl ***");
        }
        Assumptions.assumeTrue(installed(), "kubectl is not on the PATH: tests that drive the real kubectl skipped");
    }

    /** A kubectl for the server at {@code server} (e.g. http://127.0.0.1:8081), without TLS or credentials. */
    public static Kubectl against(URI server) {
        try {
            Path root = Path.of("target", "kubectl").toAbsolutePath();
            Files.createDirectories(root);
            Path home = Files.createTempDirectory(root, "home");
            Path kubeconfig = home.resolve("kubeconfig");
            Files.writeString(kubeconfig, KubeconfigWriter.kubeconfig(server.toString().replaceAll("/+$", "")));
            return new Kubectl(home, kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A namespace of its own for one test method: the prefix, then the method's name in lower case, cut to 20
     * characters so that the name stays a DNS label.
     */
    public static String namespaceFor(TestInfo test, String prefix) {
        String method = test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]", "");
        return prefix + method.substring(0, Math.min(20, method.length()));
    }

    /** A kubectl for a QuarkusTest's own server ({@code @TestHTTPResource}); skips the test without kubectl. */
    public static Kubectl forTestServer(URL server) {
        assumeInstalled();
        return against(URI.create("http://127.0.0.1:" + server.getPort()));
    }

    /** Writes a manifest into this kubectl's home, for {@code -f}. */
    public Path manifest(String name, String content) {
        try {
            return Files.writeString(home.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kubectl left running (e.g. {@code get -w}), whose output so far can be read at any time. */
    public final class Running implements AutoCloseable {
        private final Process process;
        private final Path stdout;

        private Running(Process process, Path stdout) {
            this.process = process;
            this.stdout = stdout;
        }

        public String output() {
            try {
                return read(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether kubectl has exited, with status 0. */
        public boolean succeeded() {
            return !process.isAlive() && process.exitValue() == 0;
        }

        @Override
        public void close() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts {@code kubectl args...} in the background. */
    public Running start(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            Path stdout = Files.createTempFile(home, "stdout", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("HOME", home.toString());
            builder.environment().remove("KUBECONFIG");
            return new Running(builder.start(), stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result run(String... args) {
        return run(DEFAULT_DEADLINE, args);
    }

    /** Runs {@code kubectl args...} and fails the test unless it succeeds. */
    public Result ok(String... args) {
        Result result = run(args);
        assertThat(result.succeeded()).as(result.describe()).isTrue();
        return result;
    }

    /** As {@link #ok(String...)}, in a namespace. */
    public Result okIn(String namespace, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-n";
        all[1] = namespace;
        System.arraycopy(args, 0, all, 2, args.length);
        return ok(all);
    }

    /** Runs {@code kubectl args...} and fails the test unless kubectl refuses. */
    public Result failing(String... args) {
        Result result = run(args);
        assertThat(result.succeeded()).as(result.describe()).isFalse();
        return result;
    }

    /** Runs {@code kubectl args...}, killing it (and the build it dispatched to) if it outlives the deadline. */
    public Result run(Duration deadline, String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        try {
            // Files, not pipes: a chatty command can never block on a full pipe nobody reads yet.
            Path stdout = Files.createTempFile(home, "stdout", ".txt");
            Path stderr = Files.createTempFile(home, "stderr", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().put("HOME", home.toString());
            builder.environment().remove("KUBECONFIG");
            Process process = builder.start();
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " still running after "
                        + deadline + "\n--- stdout\n" + read(stdout) + "--- stderr\n" + read(stderr));
            }
            return new Result(List.of(args), process.exitValue(), read(stdout), read(stderr));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kubectl", e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
