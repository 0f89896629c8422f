package io.qube.metrics;

import java.math.BigDecimal;
import java.time.Duration;

/** How the metrics API writes its figures: cpu in nanocores, memory in Ki where whole, windows as Go durations. */
final class Quantities {

    private Quantities() {
    }

    static String cpu(long nanoCores) {
        return nanoCores == 0 ? "0" : nanoCores + "n";
    }

    static String memory(long bytes) {
        return bytes != 0 && bytes % 1024 == 0 ? bytes / 1024 + "Ki" : Long.toString(bytes);
    }

    /** A metav1.Duration as Go prints it: {@code 15s}, {@code 1m0s}, {@code 1.5s}, {@code 500ms}. */
    static String duration(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return BigDecimal.valueOf(duration.toNanos(), 6).stripTrailingZeros().toPlainString() + "ms";
        }
        StringBuilder text = new StringBuilder();
        long hours = duration.toHours();
        long minutes = duration.toMinutesPart();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        BigDecimal seconds = BigDecimal.valueOf(duration.toSecondsPart() * 1_000_000_000L + duration.toNanosPart(), 9)
                .stripTrailingZeros();
        return text.append(seconds.scale() < 0 ? seconds.setScale(0).toPlainString() : seconds.toPlainString())
                .append('s').toString();
    }
}
