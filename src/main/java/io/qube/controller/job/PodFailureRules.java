package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

import java.util.ArrayList;
import java.util.List;

/**
 * A Job's {@code podFailurePolicy} applied to one failed pod as Kubernetes applies it: the rules in order, the first
 * that matches decides. A rule on exit codes matches a terminated container (regular, then init) with a non-zero
 * exit code the operator accepts; a rule on pod conditions matches a condition of that type and status.
 */
final class PodFailureRules {

    static final String FAIL_JOB = "FailJob";
    static final String FAIL_INDEX = "FailIndex";
    static final String IGNORE = "Ignore";
    static final String COUNT = "Count";

    /** The action of the matching rule, and the message Kubernetes gives the match. */
    record Match(String action, String message) {
    }

    private PodFailureRules() {
    }

    /** The first rule the failed pod matches, or null when none does (the failure then counts as usual). */
    static Match match(PodFailurePolicy policy, Pod pod) {
        if (policy == null || policy.getRules() == null || !JobPods.failed(pod)) {
            return null;
        }
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int index = 0; index < rules.size(); index++) {
            PodFailurePolicyRule rule = rules.get(index);
            String action = rule.getAction();
            if (rule.getOnExitCodes() != null) {
                ContainerStatus container = matchingContainer(pod, rule.getOnExitCodes());
                if (container != null) {
                    return new Match(action, "Container " + container.getName() + " for pod " + name(pod)
                            + " failed with exit code " + container.getState().getTerminated().getExitCode()
                            + " matching " + action + " rule at index " + index);
                }
            } else if (rule.getOnPodConditions() != null) {
                PodCondition condition = matchingCondition(pod, rule.getOnPodConditions());
                if (condition != null) {
                    return new Match(action, "Pod " + name(pod) + " has condition " + condition.getType()
                            + " matching " + action + " rule at index " + index);
                }
            }
        }
        return null;
    }

    /** Whether the failure counts toward the backoff limits: every failure but one a rule says to ignore. */
    static boolean counts(Match match) {
        return match == null || !IGNORE.equals(match.action());
    }

    private static ContainerStatus matchingContainer(Pod pod, PodFailurePolicyOnExitCodesRequirement requirement) {
        List<ContainerStatus> statuses = new ArrayList<>();
        if (pod.getStatus().getContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getContainerStatuses());
        }
        if (pod.getStatus().getInitContainerStatuses() != null) {
            statuses.addAll(pod.getStatus().getInitContainerStatuses());
        }
        for (ContainerStatus status : statuses) {
            if (status.getState() == null || status.getState().getTerminated() == null) {
                continue; // still stopping: no exit code to match yet
            }
            Integer exitCode = status.getState().getTerminated().getExitCode();
            if (exitCode == null || exitCode == 0) {
                continue;
            }
            if (requirement.getContainerName() != null && !requirement.getContainerName().equals(status.getName())) {
                continue;
            }
            List<Integer> values = requirement.getValues() == null ? List.of() : requirement.getValues();
            boolean listed = values.contains(exitCode);
            if ("In".equals(requirement.getOperator()) == listed) {
                return status;
            }
        }
        return null;
    }

    private static PodCondition matchingCondition(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
        List<PodCondition> conditions = pod.getStatus().getConditions() == null ? List.of()
                : pod.getStatus().getConditions();
        for (PodFailurePolicyOnPodConditionsPattern pattern : patterns) {
            String status = pattern.getStatus() == null ? "True" : pattern.getStatus();
            for (PodCondition condition : conditions) {
                if (pattern.getType().equals(condition.getType()) && status.equals(condition.getStatus())) {
                    return condition;
                }
            }
        }
        return null;
    }

    private static String name(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
