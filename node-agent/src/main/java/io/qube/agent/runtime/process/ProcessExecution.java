package io.qube.agent.runtime.process;

import io.qube.agent.runtime.CommandStartFailure;
import io.qube.agent.runtime.ExecResult;
import io.qube.agent.runtime.Execution;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command of the process runtime, run by the agent itself in the container's namespaces: its output read on a
 * thread per stream, its exit code the process's.
 */
final class ProcessExecution implements Execution {

    private final Process process;
    private final OutputStream input;

    private ProcessExecution(Process process, boolean stdin) {
        this.process = process;
        this.input = process.getOutputStream();
        if (!stdin) {
            closeQuietly();
        }
    }

    static ProcessExecution start(ProcessBuilder builder, List<String> command, boolean stdin) throws IOException {
        try {
            return new ProcessExecution(builder.start(), stdin);
        } catch (IOException e) {
            throw new CommandStartFailure("failed to start command " + command + ": " + e.getMessage(), e);
        }
    }

    /** Runs the command to its end, or stops it at {@code timeout}; its output and error as one text. */
    static ExecResult runToEnd(ProcessBuilder builder, Duration timeout) throws IOException {
        Process process = builder.redirectErrorStream(true).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new ExecResult(-1, "", true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        return new ExecResult(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8), false);
    }

    @Override
    public void stdin(byte[] data) {
        try {
            input.write(data);
            input.flush();
        } catch (IOException gone) {
            // the command stopped reading; what it does next tells the outcome
        }
    }

    @Override
    public void closeStdin() {
        closeQuietly();
    }

    @Override
    public void resize(int columns, int rows) {
        // script(1) gives the command a terminal of a fixed size
    }

    @Override
    public void output(Sink sink) throws IOException {
        Thread errors = new Thread(() -> relay(process.getErrorStream(), STDERR, sink), "exec-stderr");
        errors.setDaemon(true);
        errors.start();
        relay(process.getInputStream(), STDOUT, sink);
        try {
            errors.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void relay(InputStream stream, int channel, Sink sink) {
        byte[] buffer = new byte[8192];
        try {
            int read;
            while ((read = stream.read(buffer)) > 0) {
                byte[] chunk = new byte[read];
                System.arraycopy(buffer, 0, chunk, 0, read);
                sink.output(channel, chunk);
            }
        } catch (IOException ended) {
            // the process is gone, or the execution was closed
        }
    }

    @Override
    public int exitCode() throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private void closeQuietly() {
        try {
            input.close();
        } catch (IOException ignored) {
            // already closed by the command's end
        }
    }
}
