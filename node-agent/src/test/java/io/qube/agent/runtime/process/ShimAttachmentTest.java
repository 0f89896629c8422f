package io.qube.agent.runtime.process;

import io.qube.agent.runtime.Attachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The process runtime's shim (the real binary of this build) with a client on its attach socket: stdin on a
 * terminal or a pipe, output relayed by stream as it is logged, terminal size, stdinOnce, and a directory path too
 * long for a socket address.
 */
class ShimAttachmentTest {

    private static final Path SHIM = Path.of("target", "classes", "io", "qube", "agent", "runtime", "process",
            "qube-shim");

    @TempDir
    Path temporary;

    private Process shim(Path directory, List<String> options, String... command) throws IOException {
        Process process = start(directory, options, command);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(directory.resolve("attach")));
        return process;
    }

    private Process start(Path directory, List<String> options, String... command) throws IOException {
        Files.createDirectories(directory);
        List<String> line = new ArrayList<>(List.of(SHIM.toAbsolutePath().toString()));
        line.addAll(options);
        line.addAll(List.of(directory.toString(), "1000000", "--"));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true)
                .redirectOutput(directory.resolveSibling(directory.getFileName() + ".shim.log").toFile()).start();
        return process;
    }

    /** Collects what the attachment relays, "stream:text" per chunk, read on a thread of its own. */
    private static StringBuffer collect(Attachment attachment) {
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try {
                attachment.output((stream, data) -> output.append(stream).append(':')
                        .append(new String(data, StandardCharsets.UTF_8)));
                output.append("<end>");
            } catch (IOException e) {
                output.append("<failed ").append(e.getMessage()).append('>');
            }
        });
        reader.setDaemon(true);
        reader.start();
        return output;
    }

    @Test
    void aTerminalTakesStdinAndItsSizeAndTheExitEndsTheAttachment() throws Exception {
        Path directory = temporary.resolve("c_0");
        Process shim = shim(directory, List.of("-i", "-t"), "sh");
        try (Attachment attachment = ShimAttachment.connect(directory.resolve("attach"))) {
            StringBuffer output = collect(attachment);
            attachment.resize(100, 30);
            attachment.stdin("stty size; tty; echo sum-$((40+2)); exit 3\n".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().endsWith("<end>"));
            assertThat(output.toString()).contains("30 100").contains("/dev/pts/").contains("sum-42");
        }
        assertThat(shim.waitFor()).isZero();
        assertThat(Files.readString(directory.resolve("exit"))).startsWith("3 0 ");
        assertThat(Files.readString(directory.resolve("log"))).contains("stdout F sum-42");
        assertThat(directory.resolve("attach")).doesNotExist();
    }

    @Test
    void aPipeKeepsStdoutAndStderrApartAndStdinOnceEndsWithTheFirstClient() throws Exception {
        Path directory = temporary.resolve("p_0");
        Process shim = shim(directory, List.of("-i", "-o"), "sh", "-c",
                "read line; echo $line | tr a-z A-Z; cat; echo done >&2; exit 4");
        Attachment attachment = ShimAttachment.connect(directory.resolve("attach"));
        StringBuffer output = collect(attachment);
        attachment.stdin("hello\n".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().contains("1:HELLO\n"));
        attachment.close(); // the first client leaves: with stdinOnce, the command's stdin ends
        assertThat(shim.waitFor()).isZero();
        assertThat(Files.readString(directory.resolve("exit"))).startsWith("4 0 ");
        assertThat(Files.readString(directory.resolve("log"))).contains("stdout F HELLO").contains("stderr F done");
    }

    @Test
    void withoutStdinOnceAClientsEndOfStdinLeavesTheCommandRunning() throws Exception {
        Path directory = temporary.resolve("k_0");
        Process shim = shim(directory, List.of("-i"), "sh", "-c", "while read line; do echo got-$line; done");
        try {
            try (Attachment first = ShimAttachment.connect(directory.resolve("attach"))) {
                StringBuffer output = collect(first);
                first.stdin("one\n".getBytes(StandardCharsets.UTF_8));
                first.closeStdin();
                await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().contains("got-one"));
            }
            try (Attachment second = ShimAttachment.connect(directory.resolve("attach"))) {
                StringBuffer output = collect(second);
                second.stdin("two\n".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().contains("1:got-two\n"));
                assertThat(output.toString()).doesNotContain("got-one");
            }
            assertThat(shim.isAlive()).isTrue();
        } finally {
            shim.destroy();
            // the shim's command is its own process group: end it as the runtime's stop does
            ProcessHandle.of(Long.parseLong(Files.readString(directory.resolve("pid")).split(" ")[0]))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aDirectoryPathTooLongForASocketAddressIsReachedThroughALink() throws Exception {
        Path directory = temporary.resolve("x".repeat(60)).resolve("y".repeat(60)).resolve("c_0");
        assertThat(directory.resolve("attach").toString().length()).isGreaterThan(108);
        Process shim = shim(directory, List.of("-i"), "sh", "-c", "read line; echo echoed-$line");
        try (Attachment attachment = ShimAttachment.connect(directory.resolve("attach"))) {
            StringBuffer output = collect(attachment);
            attachment.stdin("far\n".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().endsWith("<end>"));
            assertThat(output.toString()).isEqualTo("1:echoed-far\n<end>");
        }
        assertThat(shim.waitFor()).isZero();
    }

    @Test
    void anEndedContainerOffersNoAttach() throws Exception {
        Path directory = temporary.resolve("e_0");
        Process shim = start(directory, List.of(), "true");
        assertThat(shim.waitFor()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShimAttachment.connect(directory.resolve("attach")))
                .isInstanceOf(IOException.class).hasMessageContaining("no attach socket");
    }
}
