package io.qube.scheduler.plugins;

import io.qube.client.Tolerations;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.client.Selectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A topology spread constraint as PodTopologySpread uses it: the selector already extended by matchLabelKeys, the
 * defaults filled in (minDomains 1, node affinity honoured, taints ignored).
 */
record SpreadConstraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains,
                        boolean honorNodeAffinity, boolean honorTaints) {

    static final String HOSTNAME = "kubernetes.io/hostname";

    static List<SpreadConstraint> of(PodInfo pod, String whenUnsatisfiable) {
        List<TopologySpreadConstraint> declared = pod.pod().getSpec().getTopologySpreadConstraints();
        List<SpreadConstraint> constraints = new ArrayList<>();
        if (declared == null) {
            return constraints;
        }
        for (TopologySpreadConstraint constraint : declared) {
            if (!whenUnsatisfiable.equals(constraint.getWhenUnsatisfiable())) {
                continue;
            }
            constraints.add(new SpreadConstraint(constraint.getMaxSkew(), constraint.getTopologyKey(),
                    withLabelKeys(constraint.getLabelSelector(), constraint.getMatchLabelKeys(), pod.labels()),
                    constraint.getMinDomains() == null ? 1 : constraint.getMinDomains(),
                    !"Ignore".equals(constraint.getNodeAffinityPolicy()),
                    "Honor".equals(constraint.getNodeTaintsPolicy())));
        }
        return constraints;
    }

    /** matchLabelKeys: the pod's own values of those keys join the selector as In requirements. */
    private static LabelSelector withLabelKeys(LabelSelector selector, List<String> keys, Map<String, String> labels) {
        if (selector == null || keys == null || keys.isEmpty()) {
            return selector;
        }
        LabelSelectorBuilder builder = new LabelSelectorBuilder(selector);
        for (String key : keys) {
            String value = labels.get(key);
            if (value != null) {
                builder.addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey(key).withOperator("In")
                        .withValues(value).build());
            }
        }
        return builder.build();
    }

    /** Pods on the node this constraint counts: selected, in the pod's namespace, not being deleted. */
    int countMatching(NodeInfo node, String namespace) {
        return node.countMatching(namespace, selector, false);
    }

    boolean matches(PodInfo placed, String namespace) {
        return !placed.terminating() && placed.namespace().equals(namespace) && Selectors.matches(selector, placed.labels());
    }

    /** Whether a node's domain counts for this constraint under its node inclusion policies. */
    boolean includes(NodeInfo node, RequiredNodeAffinity affinity, PodInfo pod) {
        if (honorNodeAffinity && !affinity.matches(node)) {
            return false;
        }
        if (honorTaints) {
            for (Taint taint : node.taints()) {
                boolean hard = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
                if (hard && !Tolerations.tolerated(taint, pod.pod().getSpec().getTolerations())) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean hasAllKeys(NodeInfo node, List<SpreadConstraint> constraints) {
        for (SpreadConstraint constraint : constraints) {
            if (!node.labels().containsKey(constraint.topologyKey())) {
                return false;
            }
        }
        return true;
    }
}
