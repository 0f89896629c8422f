package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Quantities come back as Kubernetes serves them: canonical text in the notation they were written in. */
class QuantitiesTest {

    private static String canonical(String text) {
        return Quantities.canonical(new Quantity(text)).toString();
    }

    @Test
    void decimalQuantitiesTakeTheLargestWholeUnit() {
        assertThat(canonical("0.5")).isEqualTo("500m");
        assertThat(canonical("250m")).isEqualTo("250m");
        assertThat(canonical("1500m")).isEqualTo("1500m");
        assertThat(canonical("1000")).isEqualTo("1k");
        assertThat(canonical("2000M")).isEqualTo("2G");
        assertThat(canonical("1")).isEqualTo("1");
        assertThat(canonical("0")).isEqualTo("0");
        assertThat(canonical("0.0000000001")).isEqualTo("1n");
    }

    @Test
    void binaryQuantitiesStayBinaryWhenWhole() {
        assertThat(canonical("1024Mi")).isEqualTo("1Gi");
        assertThat(canonical("1536Mi")).isEqualTo("1536Mi");
        assertThat(canonical("0.5Gi")).isEqualTo("512Mi");
        assertThat(canonical("1Ki")).isEqualTo("1Ki");
        assertThat(canonical("0.5Ki")).isEqualTo("512");
    }

    @Test
    void exponentQuantitiesKeepTheExponentNotation() {
        assertThat(canonical("1e3")).isEqualTo("1e3");
        assertThat(canonical("1000e3")).isEqualTo("1e6");
        assertThat(canonical("12e0")).isEqualTo("12");
    }

    @Test
    void malformedQuantitiesAreLeftForValidationToRefuse() {
        assertThat(canonical("lots")).isEqualTo("lots");
    }
}
