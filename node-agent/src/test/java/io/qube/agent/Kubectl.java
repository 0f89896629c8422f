package io.qube.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl binary against a test's control plane. */
final class Kubectl {

    /** What one kubectl run gave. */
    record Result(int exitCode, String out) {
    }

    private final Path kubeconfig;

    Kubectl(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    /** Runs kubectl to its end (at most a minute) and returns its exit code and combined output. */
    Result run(String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile("kubectl", ".out");
        try {
            Process process = command(args).redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not end within a minute:\n"
                        + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.delete(output);
        }
    }

    /** Runs kubectl and fails the test unless it exits 0; returns its output. */
    String ok(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + result.exitCode() + ":\n"
                    + result.out());
        }
        return result.out();
    }

    /** Starts kubectl for a long-running command (logs -f, port-forward); output and errors on its stdout. */
    Process start(String... args) throws IOException {
        return command(args).start();
    }

    /** As {@link #start(String...)}, with environment variables set (kubectl's feature switches). */
    Process start(java.util.Map<String, String> environment, String... args) throws IOException {
        ProcessBuilder builder = command(args);
        builder.environment().putAll(environment);
        return builder.start();
    }

    /**
     * Starts kubectl on a terminal of its own (script(1) allocates it), for {@code -t}: kubectl then puts its
     * terminal in raw mode and the test types on script's stdin as a user at a keyboard would.
     */
    Process startOnTerminal(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(io.qube.agent.runtime.Terminal.underScript(command)).redirectErrorStream(true)
                .start();
    }

    /** Types on a started kubectl's stdin. */
    static void type(Process process, String text) throws IOException {
        process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Everything a started kubectl prints, collected as it comes (read on a thread of its own). */
    static StringBuffer output(Process process) {
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (var in = process.getInputStream()) {
                int read;
                while ((read = in.read(buffer)) > 0) {
                    output.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                }
            } catch (IOException ended) {
                // the process ended
            }
        }, "kubectl-output");
        reader.setDaemon(true);
        reader.start();
        return output;
    }

    private ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }
}
