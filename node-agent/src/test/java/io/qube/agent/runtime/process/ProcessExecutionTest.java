package io.qube.agent.runtime.process;

import io.qube.agent.runtime.CommandStartFailure;
import io.qube.agent.runtime.Execution;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A command that cannot start is a {@link CommandStartFailure} (the node endpoint reports it inside the exec's
 * stream, as the kubelet does), one that starts runs to its exit code with its output.
 */
class ProcessExecutionTest {

    @Test
    void aMissingExecutableIsACommandStartFailure() {
        List<String> command = List.of("/nonexistent/qube-no-such-binary");

        assertThatThrownBy(() -> ProcessExecution.start(new ProcessBuilder(command), command, false))
                .isInstanceOf(CommandStartFailure.class)
                .hasMessageContaining("failed to start command [/nonexistent/qube-no-such-binary]");
    }

    @Test
    void aStartedCommandGivesItsOutputAndExitCode() throws Exception {
        List<String> command = List.of("sh", "-c", "echo out; echo err >&2; exit 4");
        Execution execution = ProcessExecution.start(new ProcessBuilder(command), command, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        execution.output((stream, bytes) -> (stream == Execution.STDOUT ? out : err).writeBytes(bytes));

        assertThat(execution.exitCode()).isEqualTo(4);
        assertThat(out.toString()).isEqualTo("out\n");
        assertThat(err.toString()).isEqualTo("err\n");
    }
}
