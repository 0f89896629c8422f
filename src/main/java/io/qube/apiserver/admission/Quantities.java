package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;
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

    private static final String[] DECIMAL_SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final BigDecimal KIBI = BigDecimal.valueOf(1024);
    private static final BigInteger KIBI_INTEGER = BigInteger.valueOf(1024);
    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);
    // Compiled once: String.matches compiles its expression on every call.
    private static final Pattern BINARY = Pattern.compile(".*[KMGTPE]i");
    private static final Pattern EXPONENT = Pattern.compile(".*[0-9.][eE][+-]?[0-9]+");

    /** Rewrites each quantity of a resource list in Kubernetes' canonical form, as the apiserver serves them. */
    static void canonicalize(Map<String, Quantity> quantities) {
        if (quantities != null) {
            quantities.replaceAll((name, quantity) -> canonical(quantity));
        }
    }

    /**
     * Kubernetes' canonical text of a quantity: in its own notation (binary suffix, decimal suffix or exponent),
     * with the largest unit that keeps the number whole ("0.5" is "500m", "1024Mi" is "1Gi", "2000M" is "2G");
     * a binary quantity that is fractional or under 1Ki is written decimally. Malformed ones are left as sent.
     */
    static Quantity canonical(Quantity quantity) {
        Optional<BigDecimal> parsed = value(quantity);
        if (parsed.isEmpty()) {
            return quantity;
        }
        String text = quantity.getAmount() + NullSafe.string(quantity.getFormat());
        BigDecimal amount = parsed.get().stripTrailingZeros();
        if (amount.signum() == 0) {
            return new Quantity("0");
        }
        if (BINARY.matcher(text).matches() && amount.abs().compareTo(KIBI) >= 0 && amount.scale() <= 0) {
            int power = 0;
            BigInteger mantissa = amount.toBigIntegerExact();
            while (power < BINARY_SUFFIXES.length - 1) {
                BigInteger[] quotientAndRemainder = mantissa.divideAndRemainder(KIBI_INTEGER);
                if (quotientAndRemainder[1].signum() != 0) {
                    break;
                }
                mantissa = quotientAndRemainder[0];
                power++;
            }
            return new Quantity(mantissa + BINARY_SUFFIXES[power]);
        }
        boolean exponent = EXPONENT.matcher(text).matches();
        // Below a nano the value rounds up, as in Kubernetes. Whole numbers from here on: BigInteger arithmetic,
        // which every pod's resources go through, is much cheaper than BigDecimal's remainder.
        BigInteger nanos = amount.movePointRight(9).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        int step = 0;
        while (step < DECIMAL_SUFFIXES.length - 1) {
            BigInteger[] quotientAndRemainder = nanos.divideAndRemainder(THOUSAND);
            if (quotientAndRemainder[1].signum() != 0) {
                break;
            }
            nanos = quotientAndRemainder[0];
            step++;
        }
        int power10 = step * 3 - 9;
        String suffix = exponent ? (power10 == 0 ? "" : "e" + power10) : DECIMAL_SUFFIXES[step];
        return new Quantity(nanos + suffix);
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
