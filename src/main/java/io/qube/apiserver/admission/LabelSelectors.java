package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.store.LabelSelector.Operator;
import io.qube.store.LabelSelector.Requirement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** A workload's {@code spec.selector} (metav1.LabelSelector): its validation, and matching via the store's selector. */
final class LabelSelectors {

    private LabelSelectors() {
    }

    static void validate(LabelSelector selector, String path, FieldErrors errors) {
        MetadataValidation.validateLabels(selector.getMatchLabels(), path + ".matchLabels", errors);
        List<LabelSelectorRequirement> expressions = NullSafe.list(selector.getMatchExpressions());
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement expression = expressions.get(i);
            String at = path + ".matchExpressions[" + i + "]";
            List<String> values = NullSafe.list(expression.getValues());
            String operator = NullSafe.string(expression.getOperator());
            switch (operator) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        errors.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        errors.forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    }
                }
                default -> errors.invalid(at + ".operator", operator, "not a valid selector operator");
            }
            String key = NullSafe.string(expression.getKey());
            NameSyntax.qualifiedName(key).forEach(problem -> errors.invalid(at + ".key", key, problem));
            for (int j = 0; j < values.size(); j++) {
                String value = values.get(j);
                String valuePath = at + ".values[" + j + "]";
                NameSyntax.labelValue(NullSafe.string(value)).forEach(problem -> errors.invalid(valuePath, value, problem));
            }
        }
    }

    /** Whether the selector has no requirement at all, which for a workload would select every pod. */
    static boolean isEmpty(LabelSelector selector) {
        return NullSafe.map(selector.getMatchLabels()).isEmpty() && NullSafe.list(selector.getMatchExpressions()).isEmpty();
    }

    /** The selector in the store's form, or nothing if an operator is unknown (validation reports that). */
    static Optional<io.qube.store.LabelSelector> toStoreSelector(LabelSelector selector) {
        List<Requirement> requirements = new ArrayList<>();
        NullSafe.map(selector.getMatchLabels()).forEach((key, value) ->
                requirements.add(new Requirement(key, Operator.EQUALS, Set.of(NullSafe.string(value)))));
        for (LabelSelectorRequirement expression : NullSafe.list(selector.getMatchExpressions())) {
            Operator operator = switch (NullSafe.string(expression.getOperator())) {
                case "In" -> Operator.IN;
                case "NotIn" -> Operator.NOT_IN;
                case "Exists" -> Operator.EXISTS;
                case "DoesNotExist" -> Operator.NOT_EXISTS;
                default -> null;
            };
            if (operator == null) {
                return Optional.empty();
            }
            Set<String> values = NullSafe.list(expression.getValues()).stream().map(NullSafe::string)
                    .collect(Collectors.toSet());
            requirements.add(new Requirement(NullSafe.string(expression.getKey()), operator, values));
        }
        return Optional.of(new io.qube.store.LabelSelector(List.copyOf(requirements)));
    }
}
