package io.qube.client;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;

/** Kubernetes' toleration matching. */
public final class Tolerations {

    private Tolerations() {
    }

    public static boolean tolerates(Toleration toleration, Taint taint) {
        if (toleration.getEffect() != null && !toleration.getEffect().isEmpty()
                && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (toleration.getKey() != null && !toleration.getKey().isEmpty() && !toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        String operator = toleration.getOperator() == null ? "" : toleration.getOperator();
        return switch (operator) {
            case "", "Equal" -> value(toleration.getValue()).equals(value(taint.getValue()));
            case "Exists" -> true;
            default -> false;
        };
    }

    public static boolean tolerated(Taint taint, List<Toleration> tolerations) {
        if (tolerations != null) {
            for (Toleration toleration : tolerations) {
                if (tolerates(toleration, taint)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String value(String value) {
        return value == null ? "" : value;
    }
}
