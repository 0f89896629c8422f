package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Kubernetes' validation of the RBAC kinds: every rule names verbs and either resources (with API groups) or, in
 * cluster roles only, non-resource URLs; bindings refer to a role of this API group and never to another one
 * later; subjects are users, groups or service accounts, each with the API group its kind takes.
 */
final class RbacValidation {

    static final String GROUP = "rbac.authorization.k8s.io";
    private static final List<String> SUBJECT_KINDS = List.of("ServiceAccount", "User", "Group");

    private RbacValidation() {
    }

    static void role(Role role, Role old, FieldErrors errors) {
        List<PolicyRule> rules = NullSafe.list(role.getRules());
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), true, "rules[" + i + "]", errors);
        }
    }

    static void clusterRole(ClusterRole role, ClusterRole old, FieldErrors errors) {
        List<PolicyRule> rules = NullSafe.list(role.getRules());
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), false, "rules[" + i + "]", errors);
        }
        if (role.getAggregationRule() == null) {
            return;
        }
        List<LabelSelector> selectors = NullSafe.list(role.getAggregationRule().getClusterRoleSelectors());
        if (selectors.isEmpty()) {
            errors.required("aggregationRule.clusterRoleSelectors",
                    "at least one clusterRoleSelector required if aggregationRule is non-nil");
        }
        for (int i = 0; i < selectors.size(); i++) {
            LabelSelectors.validate(selectors.get(i), "aggregationRule.clusterRoleSelectors[" + i + "]", errors);
        }
    }

    static void roleBinding(RoleBinding binding, RoleBinding old, FieldErrors errors) {
        roleRef(binding.getRoleRef(), List.of("Role", "ClusterRole"), errors);
        subjects(binding.getSubjects(), true, errors);
        if (old != null) {
            unchangedRoleRef(binding.getRoleRef(), old.getRoleRef(), errors);
        }
    }

    static void clusterRoleBinding(ClusterRoleBinding binding, ClusterRoleBinding old, FieldErrors errors) {
        roleRef(binding.getRoleRef(), List.of("ClusterRole"), errors);
        subjects(binding.getSubjects(), false, errors);
        if (old != null) {
            unchangedRoleRef(binding.getRoleRef(), old.getRoleRef(), errors);
        }
    }

    /** @param namespaced a Role's rule, which cannot grant non-resource URLs (they belong to no namespace) */
    private static void rule(PolicyRule rule, boolean namespaced, String path, FieldErrors errors) {
        if (NullSafe.list(rule.getVerbs()).isEmpty()) {
            errors.required(path + ".verbs", "verbs must contain at least one value");
        }
        List<String> urls = NullSafe.list(rule.getNonResourceURLs());
        if (!urls.isEmpty()) {
            if (namespaced) {
                errors.invalid(path + ".nonResourceURLs", goStrings(urls),
                        "namespaced rules cannot apply to non-resource URLs");
            }
            if (!NullSafe.list(rule.getApiGroups()).isEmpty() || !NullSafe.list(rule.getResources()).isEmpty()
                    || !NullSafe.list(rule.getResourceNames()).isEmpty()) {
                errors.invalid(path + ".nonResourceURLs", goStrings(urls),
                        "rules cannot apply to both regular resources and non-resource URLs");
            }
            return;
        }
        if (NullSafe.list(rule.getApiGroups()).isEmpty()) {
            errors.required(path + ".apiGroups", "resource rules must supply at least one api group");
        }
        if (NullSafe.list(rule.getResources()).isEmpty()) {
            errors.required(path + ".resources", "resource rules must supply at least one resource");
        }
    }

    private static void roleRef(RoleRef ref, List<String> kinds, FieldErrors errors) {
        RoleRef given = ref == null ? new RoleRef() : ref;
        String group = NullSafe.string(given.getApiGroup());
        if (!group.equals(GROUP)) {
            errors.notSupported("roleRef.apiGroup", group, List.of(GROUP));
        }
        String kind = NullSafe.string(given.getKind());
        if (!kinds.contains(kind)) {
            errors.notSupported("roleRef.kind", kind, kinds);
        }
        String name = NullSafe.string(given.getName());
        if (name.isEmpty()) {
            errors.required("roleRef.name", "");
        } else {
            NameSyntax.pathSegment(name, false).forEach(problem -> errors.invalid("roleRef.name", name, problem));
        }
    }

    private static void unchangedRoleRef(RoleRef ref, RoleRef old, FieldErrors errors) {
        if (!Objects.equals(ref, old)) {
            RoleRef given = ref == null ? new RoleRef() : ref;
            errors.invalid("roleRef", new GoLiteral("rbac.RoleRef{APIGroup:" + goString(given.getApiGroup())
                    + ", Kind:" + goString(given.getKind()) + ", Name:" + goString(given.getName()) + "}"),
                    "cannot change roleRef");
        }
    }

    /** @param namespaced a RoleBinding's subject, whose service account defaults to the binding's namespace */
    private static void subjects(List<Subject> subjects, boolean namespaced, FieldErrors errors) {
        List<Subject> all = NullSafe.list(subjects);
        for (int i = 0; i < all.size(); i++) {
            Subject subject = all.get(i);
            String path = "subjects[" + i + "]";
            String name = NullSafe.string(subject.getName());
            String group = NullSafe.string(subject.getApiGroup());
            if (name.isEmpty()) {
                errors.required(path + ".name", "");
            }
            switch (NullSafe.string(subject.getKind())) {
                case "ServiceAccount" -> {
                    if (!name.isEmpty()) {
                        NameSyntax.dns1123Subdomain(name).forEach(problem -> errors.invalid(path + ".name", name, problem));
                    }
                    if (!group.isEmpty()) {
                        errors.notSupported(path + ".apiGroup", group, List.of(""));
                    }
                    if (!namespaced && NullSafe.isEmpty(subject.getNamespace())) {
                        errors.required(path + ".namespace", "");
                    }
                }
                case "User", "Group" -> {
                    if (!group.equals(GROUP)) {
                        errors.notSupported(path + ".apiGroup", group, List.of(GROUP));
                    }
                }
                default -> errors.notSupported(path + ".kind", NullSafe.string(subject.getKind()), SUBJECT_KINDS);
            }
        }
    }

    /** A list as Kubernetes' messages print a Go value that is not a string: {@code []string{"/healthz"}}. */
    private static GoLiteral goStrings(List<String> values) {
        return new GoLiteral(values.stream().map(RbacValidation::goString)
                .collect(Collectors.joining(", ", "[]string{", "}")));
    }

    private static String goString(String value) {
        return "\"" + NullSafe.string(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A value printed as is in an "Invalid value: ..." message, unquoted. */
    private record GoLiteral(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
