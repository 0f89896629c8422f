package io.qube.store;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The character tests decide exactly as Kubernetes' regular expressions (and length limits) do. */
class LabelSyntaxTest {

    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern LABEL = Pattern.compile(DNS_LABEL);
    private static final Pattern SUBDOMAIN = Pattern.compile(DNS_LABEL + "(\\." + DNS_LABEL + ")*");
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

    @Test
    void dnsLabelsAndSubdomainsAsTheirExpressions() {
        for (String s : StringsOfAlphabet.upTo(4, 20_000)) {
            assertThat(LabelSyntax.isDnsLabel(s)).as("label \"%s\"", s).isEqualTo(LABEL.matcher(s).matches());
            assertThat(LabelSyntax.isDnsSubdomain(s)).as("subdomain \"%s\"", s)
                    .isEqualTo(SUBDOMAIN.matcher(s).matches());
        }
    }

    @Test
    void keysAndValuesAsTheirExpressionsAndLimits() {
        for (String s : StringsOfAlphabet.upTo(4, 20_000)) {
            assertThat(LabelSyntax.isValidValue(s)).as("value \"%s\"", s)
                    .isEqualTo(s.length() <= 63 && NAME.matcher(s).matches());
            assertThat(LabelSyntax.isValidKey(s)).as("key \"%s\"", s).isEqualTo(keyByExpressions(s));
        }
        assertThat(LabelSyntax.isValidKey("example.com/" + "a".repeat(63))).isTrue();
        assertThat(LabelSyntax.isValidKey("example.com/" + "a".repeat(64))).isFalse();
        assertThat(LabelSyntax.isValidKey("a".repeat(253) + "/name")).isTrue();
        assertThat(LabelSyntax.isValidKey("a".repeat(254) + "/name")).isFalse();
        assertThat(LabelSyntax.isValidValue(null)).isFalse();
        assertThat(LabelSyntax.isValidKey(null)).isFalse();
    }

    private static boolean keyByExpressions(String key) {
        if (key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
    }
}
