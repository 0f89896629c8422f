package io.qube.agent.runtime.cri;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An exec's exit code read from the outcome the runtime's streaming server sends on channel 3. */
class CriStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"metadata\":{},\"status\":\"Success\"}|0",
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: "
                    + "error executing command [sh -c exit 7], exit code 7\",\"reason\":\"NonZeroExitCode\","
                    + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"7\"}]}}|7",
            "{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":["
                    + "{\"reason\":\"Other\",\"message\":\"x\"},{\"reason\":\"ExitCode\",\"message\":\"126\"}]}}|126",
    })
    void readsTheExitCodeFromTheStatus(String status, int code) throws IOException {
        assertThat(CriStream.exitCodeOf(JSON.readTree(status))).isEqualTo(code);
    }

    @Test
    void aFailureWithoutAnExitCodeIsTheRuntimesMessage() {
        assertThatThrownBy(() -> CriStream.exitCodeOf(JSON.readTree("{\"status\":\"Failure\",\"reason\":"
                + "\"InternalError\",\"message\":\"OCI runtime exec failed: exec: \\\"nothere\\\": executable file "
                + "not found in $PATH\"}")))
                .isInstanceOf(IOException.class).hasMessageContaining("executable file not found");
    }
}
