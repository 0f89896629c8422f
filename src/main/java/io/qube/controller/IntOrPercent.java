package io.qube.controller;

import io.fabric8.kubernetes.api.model.IntOrString;

/** Kubernetes' GetScaledValueFromIntOrPercent: a count of pods given as a number or as a percentage of a total. */
public final class IntOrPercent {

    private IntOrPercent() {
    }

    /** The number itself, or the percentage of {@code total} rounded up or down; absent counts as 0. */
    public static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal();
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        return roundUp ? (int) Math.ceil(percent * total / 100.0) : (int) Math.floor(percent * total / 100.0);
    }
}
