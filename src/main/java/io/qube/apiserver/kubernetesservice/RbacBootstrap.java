package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;

/**
 * kube-apiserver's RBAC bootstrap ({@link BootstrapPolicy}): each default ClusterRole and ClusterRoleBinding is made
 * when missing and, while it keeps the annotation {@code rbac.authorization.kubernetes.io/autoupdate: "true"},
 * given back what it lost: missing rules (an aggregated role: its aggregation rule, its rules being the
 * aggregation controller's) and missing subjects. Additions a user made stay; setting the annotation to "false"
 * leaves an object alone altogether, as in Kubernetes.
 */
final class RbacBootstrap {

    private RbacBootstrap() {
    }

    static void ensure(KubernetesClient client) {
        for (ClusterRole wanted : BootstrapPolicy.clusterRoles()) {
            ClusterRole current = client.rbac().clusterRoles().withName(wanted.getMetadata().getName()).get();
            if (current == null) {
                createIgnoringConflict(() -> client.rbac().clusterRoles().resource(wanted).create());
            } else if (autoupdates(current.getMetadata().getAnnotations()) && !covers(current, wanted)) {
                client.rbac().clusterRoles().resource(reconciled(current, wanted)).update();
            }
        }
        for (ClusterRoleBinding wanted : BootstrapPolicy.clusterRoleBindings()) {
            ClusterRoleBinding current = client.rbac().clusterRoleBindings().withName(wanted.getMetadata().getName())
                    .get();
            if (current == null) {
                createIgnoringConflict(() -> client.rbac().clusterRoleBindings().resource(wanted).create());
            } else if (autoupdates(current.getMetadata().getAnnotations())
                    && !missing(current.getSubjects(), wanted.getSubjects()).isEmpty()) {
                List<Subject> subjects = new ArrayList<>(nullSafe(current.getSubjects()));
                subjects.addAll(missing(current.getSubjects(), wanted.getSubjects()));
                current.setSubjects(subjects);
                client.rbac().clusterRoleBindings().resource(current).update();
            }
        }
    }

    private static boolean autoupdates(java.util.Map<String, String> annotations) {
        return annotations != null && "true".equals(annotations.get(BootstrapPolicy.AUTOUPDATE));
    }

    private static boolean covers(ClusterRole current, ClusterRole wanted) {
        if (wanted.getAggregationRule() != null) {
            return current.getAggregationRule() != null && current.getAggregationRule().getClusterRoleSelectors()
                    .containsAll(wanted.getAggregationRule().getClusterRoleSelectors());
        }
        return missing(current.getRules(), wanted.getRules()).isEmpty();
    }

    private static ClusterRole reconciled(ClusterRole current, ClusterRole wanted) {
        if (wanted.getAggregationRule() != null) {
            current.setAggregationRule(wanted.getAggregationRule());
        } else {
            List<PolicyRule> rules = new ArrayList<>(nullSafe(current.getRules()));
            rules.addAll(missing(current.getRules(), wanted.getRules()));
            current.setRules(rules);
        }
        return current;
    }

    private static <T> List<T> missing(List<T> have, List<T> want) {
        return nullSafe(want).stream().filter(item -> !nullSafe(have).contains(item)).toList();
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static void createIgnoringConflict(Runnable create) {
        try {
            create.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e; // another apiserver made it meanwhile otherwise
            }
        }
    }
}
