package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Quantity;

/** Milli-values written as Kubernetes writes a decimal quantity: "250m", "1", "64M", "104857600". */
final class MilliQuantities {

    private static final String[] SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};

    private MilliQuantities() {
    }

    /** The canonical form: whole units with the largest power-of-1000 suffix that keeps them whole, else milli. */
    static Quantity of(long milli) {
        if (milli % 1000 != 0) {
            return new Quantity(milli + "m");
        }
        long value = milli / 1000;
        int power = 0;
        while (value != 0 && value % 1000 == 0 && power < SUFFIXES.length - 1) {
            value /= 1000;
            power++;
        }
        return new Quantity(value + SUFFIXES[power]);
    }
}
