package io.qube.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host tools the agent drives (ip, iptables, kill, mount), failing with what they printed: the process
 * runtime's pods and the node's pod network.
 */
public final class Commands {

    private Commands() {
    }

    public static String run(String... command) throws IOException {
        return run(List.of(command));
    }

    public static String run(List<String> command) throws IOException {
        return run(command, null);
    }

    /** Runs {@code ip [options] -batch -} with one command per line: one process for several changes. */
    public static String ipBatch(List<String> options, List<String> lines) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(options);
        command.addAll(List.of("-batch", "-"));
        return run(command, String.join("\n", lines) + "\n");
    }

    /** Runs {@code command} with {@code input} (null: none) on its stdin. */
    public static String run(List<String> command, String input) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 30 s");
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
