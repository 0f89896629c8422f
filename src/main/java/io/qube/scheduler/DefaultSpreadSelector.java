package io.qube.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.qube.scheduler.framework.PodInfo;
import io.qube.client.Selectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' DefaultSelector: the pods that the cluster's default spread constraints count for a pod are those
 * selected by every Service, ReplicationController and ReplicaSet that selects the pod (their selectors ANDed).
 */
final class DefaultSpreadSelector {

    private DefaultSpreadSelector() {
    }

    static LabelSelector of(PodInfo pod, List<Service> services, List<ReplicationController> controllers,
                            List<ReplicaSet> replicaSets) {
        Map<String, String> matchLabels = new HashMap<>();
        List<LabelSelectorRequirement> expressions = new ArrayList<>();
        for (Service service : services) {
            Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && Selectors.containsAll(selector, pod.labels())) {
                matchLabels.putAll(selector);
            }
        }
        for (ReplicationController controller : controllers) {
            Map<String, String> selector = controller.getSpec() == null ? null : controller.getSpec().getSelector();
            if (selector != null && !selector.isEmpty() && Selectors.containsAll(selector, pod.labels())) {
                matchLabels.putAll(selector);
            }
        }
        for (ReplicaSet replicaSet : replicaSets) {
            LabelSelector selector = replicaSet.getSpec() == null ? null : replicaSet.getSpec().getSelector();
            if (selector != null && Selectors.matches(selector, pod.labels())) {
                if (selector.getMatchLabels() != null) {
                    matchLabels.putAll(selector.getMatchLabels());
                }
                if (selector.getMatchExpressions() != null) {
                    expressions.addAll(selector.getMatchExpressions());
                }
            }
        }
        if (matchLabels.isEmpty() && expressions.isEmpty()) {
            return null;
        }
        return new LabelSelector(expressions, matchLabels);
    }
}
