package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Label maps and label selectors written the way kubectl shows them: {@code app=web,tier in (a,b)}. */
final class Selectors {

    private Selectors() {
    }

    /** {@code k1=v1,k2=v2} sorted by key, or {@code <none>} (services' and replication controllers' selectors). */
    static String labels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Cells.NONE;
        }
        List<String> pairs = new ArrayList<>();
        new TreeMap<>(labels).forEach((key, value) -> pairs.add(key + "=" + value));
        return String.join(",", pairs);
    }

    /** A label selector as text, {@code <none>} when it selects by nothing (replica and daemon sets). */
    static String selectorOrNone(LabelSelector selector) {
        String text = selector(selector);
        return text.isEmpty() ? Cells.NONE : text;
    }

    /**
     * A label selector as text: one requirement per label or expression, sorted by key, values sorted; "" for an
     * empty selector; {@code <invalid>} for an operator Kubernetes would not accept.
     */
    static String selector(LabelSelector selector) {
        if (selector == null) {
            return "";
        }
        List<Requirement> requirements = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> requirements.add(new Requirement(key, key + "=" + value)));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement expression : selector.getMatchExpressions()) {
                String text = expression(expression);
                if (text == null) {
                    return "<invalid>";
                }
                requirements.add(new Requirement(expression.getKey(), text));
            }
        }
        requirements.sort(Comparator.comparing(Requirement::key));
        List<String> texts = new ArrayList<>();
        for (Requirement requirement : requirements) {
            texts.add(requirement.text());
        }
        return String.join(",", texts);
    }

    private static String expression(LabelSelectorRequirement expression) {
        String key = expression.getKey();
        String operator = expression.getOperator() == null ? "" : expression.getOperator();
        return switch (operator) {
            case "In" -> key + " in (" + sortedValues(expression) + ")";
            case "NotIn" -> key + " notin (" + sortedValues(expression) + ")";
            case "Exists" -> key;
            case "DoesNotExist" -> "!" + key;
            default -> null;
        };
    }

    private static String sortedValues(LabelSelectorRequirement expression) {
        List<String> values = new ArrayList<>(expression.getValues() == null ? List.of() : expression.getValues());
        values.sort(null);
        return String.join(",", values);
    }

    private record Requirement(String key, String text) {
    }
}
