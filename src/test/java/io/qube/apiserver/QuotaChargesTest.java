package io.qube.apiserver;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A request admitted again is charged only what its earlier attempts did not pay, per quota. */
class QuotaChargesTest {

    private static final Map<String, BigDecimal> SERVICE = Map.of("services", BigDecimal.ONE,
            "services.nodeports", BigDecimal.valueOf(2));

    @Test
    void aRetryOwesNothingOfWhatItPaidAndTheRestOfWhatItNowUses() {
        QuotaCharges charges = new QuotaCharges();
        assertThat(charges.remaining("q1", SERVICE)).isEqualTo(SERVICE);

        charges.charged("q1", SERVICE);

        assertThat(charges.remaining("q1", SERVICE)).isEmpty();
        // The retry's object uses more (another port): only that is owed.
        assertThat(charges.remaining("q1", Map.of("services", BigDecimal.ONE, "services.nodeports",
                BigDecimal.valueOf(3)))).isEqualTo(Map.of("services.nodeports", BigDecimal.ONE));
        // Less than was paid: nothing owed, nothing refunded.
        assertThat(charges.remaining("q1", Map.of("services.nodeports", BigDecimal.ONE))).isEmpty();
        // Another quota was not paid anything yet.
        assertThat(charges.remaining("q2", SERVICE)).isEqualTo(SERVICE);
    }
}
