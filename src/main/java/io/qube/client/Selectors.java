package io.qube.client;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;

import java.util.List;
import java.util.Map;

/** Kubernetes' label and node selector semantics, over fabric8's types. */
public final class Selectors {

    private Selectors() {
    }

    /** An absent selector selects nothing; an empty one selects everything (Kubernetes' LabelSelectorAsSelector). */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> own = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(own.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!matches(requirement.getOperator(), own.get(requirement.getKey()),
                        own.containsKey(requirement.getKey()), requirement.getValues())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a plain key=value map (a nodeSelector) is contained in the labels. */
    public static boolean containsAll(Map<String, String> wanted, Map<String, String> labels) {
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        Map<String, String> own = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> entry : wanted.entrySet()) {
            if (!entry.getValue().equals(own.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The terms are ORed; a term with neither expressions nor fields matches no node. */
    public static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, Node node) {
        for (NodeSelectorTerm term : terms) {
            if (matches(term, node)) {
                return true;
            }
        }
        return false;
    }

    public static boolean matches(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of()
                : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        for (NodeSelectorRequirement requirement : expressions) {
            if (!matches(requirement.getOperator(), labels.get(requirement.getKey()),
                    labels.containsKey(requirement.getKey()), requirement.getValues())) {
                return false;
            }
        }
        for (NodeSelectorRequirement requirement : fields) {
            // metadata.name is the only field Kubernetes supports here.
            boolean known = "metadata.name".equals(requirement.getKey());
            String value = known ? node.getMetadata().getName() : null;
            if (!matches(requirement.getOperator(), value, known, requirement.getValues())) {
                return false;
            }
        }
        return true;
    }

    static boolean matches(String operator, String value, boolean present, List<String> values) {
        List<String> candidates = values == null ? List.of() : values;
        return switch (operator) {
            case "In" -> present && candidates.contains(value);
            case "NotIn" -> !present || !candidates.contains(value);
            case "Exists" -> present;
            case "DoesNotExist" -> !present;
            case "Gt", "Lt" -> present && candidates.size() == 1 && compares(operator, value, candidates.get(0));
            default -> false;
        };
    }

    private static boolean compares(String operator, String value, String bound) {
        try {
            long actual = Long.parseLong(value);
            long limit = Long.parseLong(bound);
            return operator.equals("Gt") ? actual > limit : actual < limit;
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }
}
