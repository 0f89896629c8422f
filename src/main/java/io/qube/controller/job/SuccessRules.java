package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicy;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;

import java.util.List;
import java.util.SortedSet;

/**
 * An Indexed job's {@code successPolicy} as Kubernetes applies it: the job has succeeded once one rule holds, in
 * order: enough of the rule's indexes succeeded (all of them, or {@code succeededCount} of them), or without
 * indexes, at least {@code succeededCount} indexes in all.
 */
final class SuccessRules {

    private SuccessRules() {
    }

    /** "Matched rules at index N" for the first rule that holds, or null. */
    static String match(SuccessPolicy policy, int completions, SortedSet<Integer> succeeded) {
        if (policy == null || policy.getRules() == null || succeeded.isEmpty()) {
            return null;
        }
        List<SuccessPolicyRule> rules = policy.getRules();
        for (int index = 0; index < rules.size(); index++) {
            SuccessPolicyRule rule = rules.get(index);
            Integer count = rule.getSucceededCount();
            boolean holds;
            if (rule.getSucceededIndexes() != null) {
                SortedSet<Integer> required = CompletedIndexes.parse(rule.getSucceededIndexes(), completions);
                long done = required.stream().filter(succeeded::contains).count();
                holds = !required.isEmpty() && (count != null ? done >= count : done == required.size());
            } else {
                holds = count != null && succeeded.size() >= count;
            }
            if (holds) {
                return "Matched rules at index " + index;
            }
        }
        return null;
    }
}
