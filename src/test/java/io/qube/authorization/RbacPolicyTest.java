package io.qube.authorization;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which bindings grant whom what, where: users, groups and service accounts, namespaced and cluster-wide. */
class RbacPolicyTest {

    private static final UserInfo JANE = UserInfo.impersonated("jane", List.of());
    private static final UserInfo DEV = UserInfo.impersonated("joe", List.of("devs"));
    private static final UserInfo BUILDER = UserInfo.impersonated("system:serviceaccount:ci:builder", List.of());
    private static final UserInfo ADMIN = new UserInfo("system:admin", List.of(UserInfo.MASTERS));

    private static final RbacPolicy POLICY = new RbacPolicy(
            List.of(new RoleBuilder().withNewMetadata().withName("pod-reader").withNamespace("team").endMetadata()
                    .addNewRule().withVerbs("get", "list").withApiGroups("").withResources("pods").endRule().build()),
            List.of(clusterRole("deployer", "create", "apps", "deployments"),
                    clusterRole("node-reader", "get", "", "nodes")),
            List.of(roleBinding("team", "jane-reads", "Role", "pod-reader", user("jane")),
                    roleBinding("team", "devs-deploy", "ClusterRole", "deployer", group("devs")),
                    roleBinding("ci", "builder-deploys", "ClusterRole", "deployer",
                            new SubjectBuilder().withKind("ServiceAccount").withName("builder").build()),
                    roleBinding("team", "dangling", "Role", "gone", user("jane"))),
            List.of(new ClusterRoleBindingBuilder().withNewMetadata().withName("nodes").endMetadata()
                    .withNewRoleRef().withKind("ClusterRole").withName("node-reader").endRoleRef()
                    .withSubjects(group("system:authenticated")).build()));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a Role bound in its namespace", JANE, pods("get", "team"), true),
                Arguments.of("not in another namespace", JANE, pods("get", "other"), false),
                Arguments.of("not a verb the role lacks", JANE, pods("delete", "team"), false),
                Arguments.of("not cluster-wide", JANE, pods("list", ""), false),
                Arguments.of("a ClusterRole bound in a namespace, to a group", DEV, deployments("team"), true),
                Arguments.of("only in that namespace", DEV, deployments("ci"), false),
                Arguments.of("a service account, in the binding's namespace", BUILDER, deployments("ci"), true),
                Arguments.of("a ClusterRoleBinding to everyone authenticated", JANE,
                        Attributes.resource("get", "", "", "nodes", "", "n1"), true),
                Arguments.of("system:masters may do anything", ADMIN, Attributes.nonResource("delete", "/x"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void authorize(String name, UserInfo user, Attributes request, boolean allowed) {
        assertThat(POLICY.authorize(user, request).allowed()).isEqualTo(allowed);
    }

    @Test
    void anAllowedRequestSaysWhichBindingAllowedIt() {
        assertThat(POLICY.authorize(JANE, pods("get", "team")).reason())
                .isEqualTo("RBAC: allowed by RoleBinding \"team/jane-reads\" of Role \"pod-reader\" to User \"jane\"");
        assertThat(POLICY.authorize(BUILDER, deployments("ci")).reason()).isEqualTo(
                "RBAC: allowed by RoleBinding \"ci/builder-deploys\" of ClusterRole \"deployer\" to ServiceAccount "
                        + "\"builder\"");
    }

    @Test
    void rulesForAUserInANamespaceIncludeClusterWideOnesAndReportMissingRoles() {
        RbacPolicy.Grants grants = POLICY.rulesFor(JANE, "team");

        assertThat(grants.rules()).extracting(rule -> rule.getResources().get(0)).containsExactly("nodes", "pods");
        assertThat(grants.errors()).containsExactly("role.rbac.authorization.k8s.io \"gone\" not found");
    }

    @Test
    void impersonatedUsersGetTheImplicitGroups() {
        assertThat(JANE.groups()).containsExactly("system:authenticated");
        assertThat(BUILDER.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:ci",
                "system:authenticated");
        assertThat(UserInfo.impersonated("system:anonymous", List.of()).groups())
                .containsExactly("system:unauthenticated");
    }

    private static Attributes pods(String verb, String namespace) {
        return Attributes.resource(verb, namespace, "", "pods", "", "");
    }

    private static Attributes deployments(String namespace) {
        return Attributes.resource("create", namespace, "apps", "deployments", "", "");
    }

    private static ClusterRole clusterRole(String name, String verb, String group, String resource) {
        return new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata().addNewRule().withVerbs(verb)
                .withApiGroups(group).withResources(resource).endRule().build();
    }

    private static RoleBinding roleBinding(String namespace, String name, String kind, String role, Subject subject) {
        return new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind(kind).withName(role).endRoleRef()
                .withSubjects(subject).build();
    }

    private static Subject user(String name) {
        return new SubjectBuilder().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(name).build();
    }

    private static Subject group(String name) {
        return new SubjectBuilder().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName(name).build();
    }
}
