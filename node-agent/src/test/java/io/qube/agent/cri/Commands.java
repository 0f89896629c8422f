package io.qube.agent.cri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the harness's command-line tools (umoci, skopeo, htpasswd, ctr) to their end, within a deadline. Output goes
 * to a file rather than a pipe, so a tool that hangs with its output open cannot block the wait past its deadline.
 */
public final class Commands {

    /** What a command did: its exit code and its stdout and stderr together. */
    public record Result(List<String> command, int exitCode, String output) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** The output of a command that had to succeed; the whole story in the failure if it did not. */
        public String ok() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exitCode + ":\n"
                        + output);
            }
            return output;
        }
    }

    private Commands() {
    }

    public static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }

    public static Result run(Duration timeout, List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("qube-command", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeout
                        + ":\n" + Files.readString(output));
            }
            return new Result(List.copyOf(command), process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file: nothing depends on it
                }
            }
        }
    }
}
