package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;

/** Resource quantities ("500m", "1Gi", "2"): their numeric value, or nothing when the text is not a quantity. */
final class Quantities {

    /** Kubernetes' own wording for a malformed quantity. */
    static final String MALFORMED = "quantities must match the regular expression "
            + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    /** Kubernetes' grammar: a signed decimal, then a binary (Ki..Ei), decimal (n..E) or exponent (e3) suffix. */
    private static final Pattern GRAMMAR = Pattern.compile(
            "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?");

    private Quantities() {
    }

    static Optional<BigDecimal> value(Quantity quantity) {
        if (quantity == null || quantity.getAmount() == null) {
            return Optional.empty();
        }
        // fabric8 keeps "1Gi" either whole in amount or split into amount and format.
        String text = quantity.getAmount() + NullSafe.string(quantity.getFormat());
        if (!GRAMMAR.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(Quantity.getAmountInBytes(new Quantity(text)));
    }
}
