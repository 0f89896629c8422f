package io.qube.agent.pod;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' $(VAR) expansion rules. */
class ExpansionTest {

    private static final Map<String, String> VARIABLES = Map.of("NAME", "web", "EMPTY", "");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "plain text|plain text",
        "$(NAME)|web",
        "pod-$(NAME)-1|pod-web-1",
        "$(NAME)$(NAME)|webweb",
        "$$(NAME)|$(NAME)",
        "$$|$",
        "$(UNDEFINED)|$(UNDEFINED)",
        "$(EMPTY)x|x",
        "$(NAME|$(NAME",
        "cost $5|cost $5",
        "trailing $|trailing $",
        "$((i+1))|$((i+1))",
    })
    void expands(String input, String expected) {
        assertThat(Expansion.expand(input, VARIABLES)).isEqualTo(expected);
    }
}
