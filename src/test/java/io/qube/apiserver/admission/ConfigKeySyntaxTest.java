package io.qube.apiserver.admission;

import io.qube.store.StringsOfAlphabet;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** ConfigMap and Secret keys are checked by characters, exactly as Kubernetes' expression decides. */
class ConfigKeySyntaxTest {

    private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    @Test
    void configKeysAsTheirExpression() {
        for (String s : StringsOfAlphabet.upTo(4, 20_000)) {
            assertThat(NameSyntax.isConfigKey(s)).as("key \"%s\"", s).isEqualTo(CONFIG_KEY.matcher(s).matches());
        }
    }
}
