package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.qube.apiserver.admission.WorkloadValidation.nonNegative;

/**
 * Kubernetes' validation of how a Job decides it failed or succeeded: podFailurePolicy (rules on exit codes or pod
 * conditions, restartPolicy Never), backoffLimitPerIndex and maxFailedIndexes, and successPolicy (the last two for
 * Indexed jobs only).
 */
final class JobPolicyValidation {

    private static final int MAX_RULES = 20;
    private static final int MAX_EXIT_CODES = 255;
    private static final int MAX_FAILED_INDEXES = 100_000;
    private static final List<String> ACTIONS = List.of("FailJob", "FailIndex", "Ignore", "Count");

    private JobPolicyValidation() {
    }

    static void validate(JobSpec spec, PodSpec pod, String path, FieldErrors errors) {
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        if (spec.getPodFailurePolicy() != null) {
            podFailurePolicy(spec, pod, path, errors);
        }
        if (spec.getBackoffLimitPerIndex() != null) {
            nonNegative(spec.getBackoffLimitPerIndex(), path + ".backoffLimitPerIndex", errors);
            if (!indexed) {
                errors.invalid(path + ".backoffLimitPerIndex", spec.getBackoffLimitPerIndex(),
                        "requires indexed completion mode");
            }
        }
        Integer maxFailed = spec.getMaxFailedIndexes();
        if (maxFailed != null) {
            if (spec.getBackoffLimitPerIndex() == null) {
                errors.required(path + ".backoffLimitPerIndex", "when maxFailedIndexes is specified");
            }
            nonNegative(maxFailed, path + ".maxFailedIndexes", errors);
            if (maxFailed > MAX_FAILED_INDEXES) {
                errors.invalid(path + ".maxFailedIndexes", maxFailed, "must be less than or equal to "
                        + MAX_FAILED_INDEXES);
            } else if (spec.getCompletions() != null && maxFailed > spec.getCompletions()) {
                errors.invalid(path + ".maxFailedIndexes", maxFailed, "must be less than or equal to completions");
            }
        }
        if (spec.getSuccessPolicy() != null) {
            if (!indexed) {
                errors.invalid(path + ".successPolicy", WorkloadValidation.asJson(spec.getSuccessPolicy()),
                        "requires indexed completion mode");
            } else {
                successRules(spec.getSuccessPolicy().getRules(), spec.getCompletions(), path + ".successPolicy.rules",
                        errors);
            }
        }
    }

    private static void podFailurePolicy(JobSpec spec, PodSpec pod, String path, FieldErrors errors) {
        String restart = pod == null ? null : pod.getRestartPolicy();
        if (!"Never".equals(restart)) {
            errors.invalid(path + ".template.spec.restartPolicy", restart,
                    "only \"Never\" is supported when podFailurePolicy is specified");
        }
        List<PodFailurePolicyRule> rules = NullSafe.list(spec.getPodFailurePolicy().getRules());
        String rulesPath = path + ".podFailurePolicy.rules";
        if (rules.size() > MAX_RULES) {
            errors.tooMany(rulesPath, rules.size(), MAX_RULES);
        }
        Set<String> containers = new HashSet<>();
        if (pod != null) {
            Stream.concat(NullSafe.list(pod.getContainers()).stream(), NullSafe.list(pod.getInitContainers()).stream())
                    .map(Container::getName).forEach(containers::add);
        }
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            String at = rulesPath + "[" + i + "]";
            String action = rule.getAction();
            if (NullSafe.isEmpty(action)) {
                errors.required(at + ".action", "");
            } else if (!ACTIONS.contains(action)) {
                errors.notSupported(at + ".action", action, ACTIONS);
            } else if (action.equals("FailIndex") && spec.getBackoffLimitPerIndex() == null) {
                errors.invalid(at + ".action", action, "requires the backoffLimitPerIndex to be set");
            }
            // The model reads an absent list as an empty one, as Go's validation sees nil and empty alike.
            List<PodFailurePolicyOnPodConditionsPattern> conditions = NullSafe.list(rule.getOnPodConditions());
            if (rule.getOnExitCodes() != null && !conditions.isEmpty()) {
                errors.invalid(at, "", "specifying both OnExitCodes and OnPodConditions is not supported");
            } else if (rule.getOnExitCodes() != null) {
                exitCodes(rule.getOnExitCodes(), containers, at + ".onExitCodes", errors);
            } else if (!conditions.isEmpty()) {
                podConditions(conditions, at + ".onPodConditions", errors);
            } else {
                errors.invalid(at, "", "specifying one of OnExitCodes and OnPodConditions is required");
            }
        }
    }

    private static void exitCodes(PodFailurePolicyOnExitCodesRequirement requirement, Set<String> containers,
                                  String path, FieldErrors errors) {
        String container = requirement.getContainerName();
        if (container != null && !containers.contains(container)) {
            errors.invalid(path + ".containerName", container,
                    "must be one of the container or initContainer names in the pod template");
        }
        String operator = requirement.getOperator();
        if (NullSafe.isEmpty(operator)) {
            errors.required(path + ".operator", "");
        } else if (!operator.equals("In") && !operator.equals("NotIn")) {
            errors.notSupported(path + ".operator", operator, List.of("In", "NotIn"));
        }
        List<Integer> values = NullSafe.list(requirement.getValues());
        if (values.isEmpty()) {
            errors.invalid(path + ".values", "[]", "at least one value is required");
        } else if (values.size() > MAX_EXIT_CODES) {
            errors.tooMany(path + ".values", values.size(), MAX_EXIT_CODES);
        }
        for (int i = 0; i < values.size(); i++) {
            int value = values.get(i);
            String at = path + ".values[" + i + "]";
            if ("In".equals(operator) && value == 0) {
                errors.invalid(at, value, "must not be 0 for the In operator");
            }
            if (i > 0 && values.get(i - 1) == value) {
                errors.duplicate(at, value);
            } else if (i > 0 && values.get(i - 1) > value) {
                errors.invalid(at, value, "must be ordered");
            }
        }
    }

    private static void podConditions(List<PodFailurePolicyOnPodConditionsPattern> patterns, String path,
                                      FieldErrors errors) {
        if (patterns.size() > MAX_RULES) {
            errors.tooMany(path, patterns.size(), MAX_RULES);
        }
        for (int i = 0; i < patterns.size(); i++) {
            PodFailurePolicyOnPodConditionsPattern pattern = patterns.get(i);
            String at = path + "[" + i + "]";
            if (NullSafe.isEmpty(pattern.getType())) {
                errors.required(at + ".type", "");
            } else {
                NameSyntax.qualifiedName(pattern.getType()).forEach(problem ->
                        errors.invalid(at + ".type", pattern.getType(), problem));
            }
            String status = pattern.getStatus();
            if (!List.of("True", "False", "Unknown").contains(NullSafe.string(status))) {
                errors.notSupported(at + ".status", NullSafe.string(status), List.of("True", "False", "Unknown"));
            }
        }
    }

    private static void successRules(List<SuccessPolicyRule> rules, Integer completions, String path,
                                     FieldErrors errors) {
        if (rules == null || rules.isEmpty()) {
            errors.required(path, "at least one rules must be specified when the successPolicy is specified");
            return;
        }
        if (rules.size() > MAX_RULES) {
            errors.tooMany(path, rules.size(), MAX_RULES);
        }
        int total = completions == null ? 0 : completions;
        for (int i = 0; i < rules.size(); i++) {
            SuccessPolicyRule rule = rules.get(i);
            String at = path + "[" + i + "]";
            if (rule.getSucceededIndexes() == null && rule.getSucceededCount() == null) {
                errors.required(at, "at least one of succeededCount or succeededIndexes must be specified");
                continue;
            }
            int indexes = total;
            if (rule.getSucceededIndexes() != null) {
                String problem = IndexRanges.problem(rule.getSucceededIndexes(), total);
                if (problem != null) {
                    errors.invalid(at + ".succeededIndexes", rule.getSucceededIndexes(),
                            "error parsing succeededIndexes: " + problem);
                    continue;
                }
                indexes = IndexRanges.count(rule.getSucceededIndexes());
            }
            Integer count = rule.getSucceededCount();
            if (count == null) {
                continue;
            }
            nonNegative(count, at + ".succeededCount", errors);
            if (count > total) {
                errors.invalid(at + ".succeededCount", count, "must be less than or equal to " + total
                        + " (the number of specified completions)");
            } else if (rule.getSucceededIndexes() != null && count > indexes) {
                errors.invalid(at + ".succeededCount", count, "must be less than or equal to " + indexes
                        + " (the number of indexes in the specified succeededIndexes field)");
            }
        }
    }
}
