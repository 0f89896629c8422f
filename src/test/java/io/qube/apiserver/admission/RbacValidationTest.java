package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.clusterScoped;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** The RBAC kinds' defaults and validation, with Kubernetes' messages and field paths. */
class RbacValidationTest {

    @Test
    void roleRulesNeedVerbsGroupsAndResourcesAndNoUrls() {
        Role role = read(namespaced(Role.class, "reader", """
                rules:
                - {apiGroups: [""], resources: [pods], verbs: [get]}
                - {resources: [pods]}
                - {verbs: [get], nonResourceURLs: [/healthz]}
                """), Role.class);

        assertThat(create(role)).containsExactly(
                new Cause("FieldValueRequired", "Required value: verbs must contain at least one value",
                        "rules[1].verbs"),
                new Cause("FieldValueRequired", "Required value: resource rules must supply at least one api group",
                        "rules[1].apiGroups"),
                new Cause("FieldValueInvalid", "Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply "
                        + "to non-resource URLs", "rules[2].nonResourceURLs"));
    }

    @Test
    void clusterRoleMayGrantUrlsButNotMixThemWithResources() {
        ClusterRole role = read(clusterScoped(ClusterRole.class, "system:health", """
                rules:
                - {verbs: [get], nonResourceURLs: [/healthz, /livez]}
                - {verbs: [get], apiGroups: [""], nonResourceURLs: ["/metrics"]}
                - {verbs: [get], apiGroups: [apps]}
                """), ClusterRole.class);

        assertThat(create(role)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: []string{\"/metrics\"}: rules cannot apply to both "
                        + "regular resources and non-resource URLs", "rules[1].nonResourceURLs"),
                new Cause("FieldValueRequired", "Required value: resource rules must supply at least one resource",
                        "rules[2].resources"));
    }

    @Test
    void aggregationRuleNeedsValidSelectors() {
        ClusterRole none = read(clusterScoped(ClusterRole.class, "monitoring", """
                aggregationRule: {clusterRoleSelectors: []}
                """), ClusterRole.class);
        ClusterRole bad = read(clusterScoped(ClusterRole.class, "monitoring", """
                aggregationRule:
                  clusterRoleSelectors:
                  - matchExpressions: [{key: tier, operator: Near, values: [a]}]
                """), ClusterRole.class);

        assertThat(create(none)).containsExactly(new Cause("FieldValueRequired", "Required value: at least one "
                + "clusterRoleSelector required if aggregationRule is non-nil", "aggregationRule.clusterRoleSelectors"));
        assertThat(reasonsAndFields(create(bad)))
                .containsExactly("FieldValueInvalid aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator");
    }

    @Test
    void roleNamesArePathSegmentsSoColonsAreFine() {
        assertThat(create(read(clusterScoped(ClusterRole.class, "system:aggregate-to-view", ""), ClusterRole.class)))
                .isEmpty();
        assertThat(create(read(clusterScoped(ClusterRole.class, "a%2Fb", ""), ClusterRole.class)))
                .containsExactly(new Cause("FieldValueInvalid", "Invalid value: \"a%2Fb\": may not contain '%'",
                        "metadata.name"));
    }

    @Test
    void bindingDefaultsTheGroupsOfItsRoleRefAndOfUsersAndGroups() {
        RoleBinding binding = defaulted(namespaced(RoleBinding.class, "read-pods", """
                roleRef: {kind: Role, name: reader}
                subjects:
                - {kind: User, name: jane}
                - {kind: Group, name: devs}
                - {kind: ServiceAccount, name: builder}
                """), RoleBinding.class);

        assertStored(binding, namespaced(RoleBinding.class, "read-pods", """
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
                subjects:
                - {apiGroup: rbac.authorization.k8s.io, kind: User, name: jane}
                - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: devs}
                - {kind: ServiceAccount, name: builder}
                """));
        assertThat(create(binding)).isEmpty();
    }

    @Test
    void bindingRefersToARoleOfThisGroupAndKnownSubjects() {
        RoleBinding binding = read(namespaced(RoleBinding.class, "odd", """
                roleRef: {apiGroup: example.com, kind: Policy, name: ""}
                subjects:
                - {kind: User, name: jane, apiGroup: example.com}
                - {kind: ServiceAccount, name: Builder, apiGroup: rbac.authorization.k8s.io}
                - {kind: Robot, name: r2}
                - {kind: Group}
                """), RoleBinding.class);

        assertThat(create(binding)).containsExactly(
                new Cause("FieldValueNotSupported", "Unsupported value: \"example.com\": supported values: "
                        + "\"rbac.authorization.k8s.io\"", "roleRef.apiGroup"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Policy\": supported values: \"Role\", "
                        + "\"ClusterRole\"", "roleRef.kind"),
                new Cause("FieldValueRequired", "Required value", "roleRef.name"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"example.com\": supported values: "
                        + "\"rbac.authorization.k8s.io\"", "subjects[0].apiGroup"),
                new Cause("FieldValueInvalid", "Invalid value: \"Builder\": a lowercase RFC 1123 subdomain must "
                        + "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", "subjects[1].name"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"rbac.authorization.k8s.io\": supported "
                        + "values: \"\"", "subjects[1].apiGroup"),
                new Cause("FieldValueNotSupported", "Unsupported value: \"Robot\": supported values: "
                        + "\"ServiceAccount\", \"User\", \"Group\"", "subjects[2].kind"),
                new Cause("FieldValueRequired", "Required value", "subjects[3].name"));
    }

    @Test
    void clusterRoleBindingNeedsAClusterRoleAndServiceAccountNamespaces() {
        ClusterRoleBinding binding = read(clusterScoped(ClusterRoleBinding.class, "builders", """
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: edit}
                subjects:
                - {kind: ServiceAccount, name: builder}
                """), ClusterRoleBinding.class);

        assertThat(reasonsAndFields(create(binding)))
                .containsExactly("FieldValueNotSupported roleRef.kind", "FieldValueRequired subjects[0].namespace");
    }

    @Test
    void roleRefCannotChange() {
        RoleBinding old = read(namespaced(RoleBinding.class, "read-pods", """
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
                subjects: [{kind: User, name: jane}]
                """), RoleBinding.class);
        assertThat(create(old)).isEmpty();
        RoleBinding moreSubjects = copy(old);
        moreSubjects.getSubjects().add(copy(old).getSubjects().get(0).toBuilder().withName("joe").build());
        RoleBinding otherRole = copy(old);
        otherRole.getRoleRef().setKind("ClusterRole");

        assertThat(update(moreSubjects, old)).isEmpty();
        assertThat(update(otherRole, old)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", "
                        + "Name:\"reader\"}: cannot change roleRef", "roleRef"));
    }
}
