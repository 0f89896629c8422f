package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The user-facing part of kube-apiserver's RBAC bootstrap policy: the superuser role, the discovery, basic-user,
 * public-info and monitoring roles every cluster binds, and the admin/edit/view roles users bind in namespaces,
 * which are aggregated from the {@code system:aggregate-to-*} roles (and anything else labelled to feed them).
 * The roles of Kubernetes' own components (system:node, system:kube-scheduler, ...) are left out: Qube's components
 * are not RBAC subjects yet. Each rule lists its verbs, groups and resources sorted and once, as Kubernetes' rule
 * builder does.
 */
final class BootstrapPolicy {

    static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    static final String BOOTSTRAPPING = "kubernetes.io/bootstrapping";
    static final String RBAC_DEFAULTS = "rbac-defaults";
    static final String AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";

    private static final String[] READ = {"get", "list", "watch"};
    private static final String[] WRITE = {"create", "update", "patch", "delete", "deletecollection"};
    private static final String[] READ_WRITE = {"get", "list", "watch", "create", "update", "patch", "delete",
        "deletecollection"};
    private static final String CORE = "";
    private static final String APPS = "apps";
    private static final String AUTOSCALING = "autoscaling";
    private static final String BATCH = "batch";
    private static final String EXTENSIONS = "extensions";
    private static final String POLICY = "policy";
    private static final String NETWORKING = "networking.k8s.io";
    private static final String DISCOVERY = "discovery.k8s.io";
    private static final String AUTHORIZATION = "authorization.k8s.io";
    private static final String RBAC = "rbac.authorization.k8s.io";

    private BootstrapPolicy() {
    }

    static List<ClusterRole> clusterRoles() {
        return List.of(
                role("cluster-admin", Map.of(), rule(verbs("*"), "*", "*"), urls(verbs("*"), "*")),
                role("system:discovery", Map.of(), urls(verbs("get"), "/livez", "/readyz", "/healthz", "/version",
                        "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*")),
                role("system:monitoring", Map.of(), urls(verbs("get"), "/metrics", "/livez", "/readyz", "/healthz",
                        "/livez/*", "/readyz/*", "/healthz/*")),
                role("system:basic-user", Map.of(), rule(verbs("create"), AUTHORIZATION, "selfsubjectaccessreviews",
                        "selfsubjectrulesreviews")),
                role("system:public-info-viewer", Map.of(), urls(verbs("get"), "/livez", "/readyz", "/healthz",
                        "/version", "/version/")),
                aggregated("admin", Map.of(), "admin"),
                aggregated("edit", feeds("admin"), "edit"),
                aggregated("view", feeds("edit"), "view"),
                role("system:aggregate-to-admin", feeds("admin"),
                        rule(verbs("create"), AUTHORIZATION, "localsubjectaccessreviews"),
                        rule(READ_WRITE, RBAC, "roles", "rolebindings")),
                role("system:aggregate-to-edit", feeds("edit"), aggregateToEdit()),
                role("system:aggregate-to-view", feeds("view"), aggregateToView()));
    }

    static List<ClusterRoleBinding> clusterRoleBindings() {
        return List.of(
                binding("cluster-admin", "system:masters"),
                binding("system:monitoring", "system:monitoring"),
                binding("system:discovery", "system:authenticated"),
                binding("system:basic-user", "system:authenticated"),
                binding("system:public-info-viewer", "system:authenticated", "system:unauthenticated"));
    }

    /** Writing what users run in a namespace; reading only where the object can escalate (secrets, exec). */
    private static PolicyRule[] aggregateToEdit() {
        return new PolicyRule[] {
            rule(READ, CORE, "pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
            rule(verbs("impersonate"), CORE, "serviceaccounts"),
            rule(WRITE, CORE, "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
            rule(verbs("create"), CORE, "pods/eviction"),
            rule(WRITE, CORE, "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                    "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"),
            rule(verbs("create"), CORE, "serviceaccounts/token"),
            rule(WRITE, APPS, "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                    "deployments/rollback", "replicasets", "replicasets/scale"),
            rule(WRITE, AUTOSCALING, "horizontalpodautoscalers"),
            rule(WRITE, BATCH, "jobs", "cronjobs"),
            rule(WRITE, EXTENSIONS, "daemonsets", "deployments", "deployments/scale", "deployments/rollback",
                    "ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"),
            rule(WRITE, POLICY, "poddisruptionbudgets"),
            rule(WRITE, NETWORKING, "networkpolicies", "ingresses"),
        };
    }

    /** Reading everything in a namespace that cannot escalate: no secrets, no exec. */
    private static PolicyRule[] aggregateToView() {
        return new PolicyRule[] {
            rule(READ, CORE, "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                    "services", "services/status", "endpoints", "persistentvolumeclaims",
                    "persistentvolumeclaims/status", "configmaps"),
            rule(READ, CORE, "limitranges", "resourcequotas", "bindings", "events", "pods/status",
                    "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"),
            // Reading namespaces in a namespace means reading that namespace: a hint of where one has access.
            rule(READ, CORE, "namespaces"),
            rule(READ, DISCOVERY, "endpointslices"),
            rule(READ, APPS, "controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
                    "daemonsets", "daemonsets/status", "deployments", "deployments/status", "deployments/scale",
                    "replicasets", "replicasets/status", "replicasets/scale"),
            rule(READ, AUTOSCALING, "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
            rule(READ, BATCH, "jobs", "cronjobs", "cronjobs/status", "jobs/status"),
            rule(READ, EXTENSIONS, "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                    "deployments/status", "ingresses", "ingresses/status", "replicasets", "replicasets/scale",
                    "replicasets/status", "replicationcontrollers/scale", "networkpolicies"),
            rule(READ, POLICY, "poddisruptionbudgets", "poddisruptionbudgets/status"),
            rule(READ, NETWORKING, "networkpolicies", "ingresses", "ingresses/status"),
        };
    }

    private static String[] verbs(String... verbs) {
        return verbs;
    }

    private static Map<String, String> feeds(String aggregate) {
        return Map.of(AGGREGATE_TO + aggregate, "true");
    }

    private static PolicyRule rule(String[] verbs, String group, String... resources) {
        return new PolicyRuleBuilder().withVerbs(sorted(verbs)).withApiGroups(group)
                .withResources(sorted(resources)).build();
    }

    private static PolicyRule urls(String[] verbs, String... urls) {
        return new PolicyRuleBuilder().withVerbs(sorted(verbs)).withNonResourceURLs(sorted(urls)).build();
    }

    private static List<String> sorted(String... values) {
        return List.copyOf(new TreeSet<>(Arrays.asList(values)));
    }

    private static ClusterRole role(String name, Map<String, String> labels, PolicyRule... rules) {
        return new ClusterRoleBuilder().withMetadata(metadata(name, labels)).withRules(rules).build();
    }

    /** A role whose rules the aggregation controller gathers from the roles labelled aggregate-to-{@code from}. */
    private static ClusterRole aggregated(String name, Map<String, String> labels, String from) {
        return new ClusterRoleBuilder().withMetadata(metadata(name, labels)).withNewAggregationRule()
                .withClusterRoleSelectors(new LabelSelectorBuilder().withMatchLabels(feeds(from)).build())
                .endAggregationRule().build();
    }

    private static ClusterRoleBinding binding(String role, String... groups) {
        return new ClusterRoleBindingBuilder().withMetadata(metadata(role, Map.of())).withNewRoleRef()
                .withApiGroup(RBAC).withKind("ClusterRole").withName(role).endRoleRef()
                .withSubjects(Arrays.stream(groups).map(group -> new SubjectBuilder().withApiGroup(RBAC)
                        .withKind("Group").withName(group).build()).toList())
                .build();
    }

    private static ObjectMeta metadata(String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).addToLabels(labels).addToLabels(BOOTSTRAPPING, RBAC_DEFAULTS)
                .addToAnnotations(AUTOUPDATE, "true").build();
    }
}
