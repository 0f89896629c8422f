package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RBAC through the real kubectl: the kinds' create commands, tables and validation, the default cluster roles and
 * their aggregation, and {@code kubectl auth can-i} answered from what is stored (nothing is enforced).
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class RbacKindsTest {

    private static final Duration BOOTSTRAP = Duration.ofSeconds(30);

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        kubectl = Kubectl.forTestServer(server);
        namespace = Kubectl.namespaceFor(test, "rb-");
        kubectl.ok("create", "namespace", namespace);
    }

    @Test
    void kubectlCreatesEachKindAndPrintsItsTable() {
        in("create", "role", "pod-reader", "--verb=get,list", "--resource=pods,pods/log");
        in("create", "rolebinding", "jane-reads", "--role=pod-reader", "--user=jane", "--group=devs",
                "--serviceaccount=" + namespace + ":builder");
        String clusterRole = namespace + "-nodes";
        kubectl.ok("create", "clusterrole", clusterRole, "--verb=get", "--resource=nodes",
                "--non-resource-url=/healthz");
        kubectl.ok("create", "clusterrolebinding", clusterRole, "--clusterrole=" + clusterRole, "--user=jane");

        assertThat(in("get", "role", "pod-reader", "-o", "jsonpath={.rules[0].resources} {.rules[0].verbs}")
                .stdout()).isEqualTo("[\"pods\",\"pods/log\"] [\"get\",\"list\"]");
        assertThat(in("get", "rolebinding", "jane-reads", "-o", "jsonpath={.roleRef.apiGroup} "
                + "{.subjects[*].kind} {.subjects[*].apiGroup}").stdout())
                // A service account's group stays the core group, "": nothing after the last space.
                .isEqualTo("rbac.authorization.k8s.io User Group ServiceAccount rbac.authorization.k8s.io "
                        + "rbac.authorization.k8s.io ");
        String roles = in("get", "roles").stdout();
        assertThat(roles.lines().findFirst().orElseThrow()).matches("NAME\\s+CREATED AT");
        assertThat(roles).containsPattern("pod-reader\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        String bindings = in("get", "rolebindings", "-o", "wide").stdout();
        assertThat(bindings.lines().findFirst().orElseThrow())
                .matches("NAME\\s+ROLE\\s+AGE\\s+USERS\\s+GROUPS\\s+SERVICEACCOUNTS");
        assertThat(bindings).containsPattern("jane-reads\\s+Role/pod-reader\\s+\\d+s\\s+jane\\s+devs\\s+"
                + namespace + "/builder");
        assertThat(kubectl.ok("get", "clusterrolebinding", clusterRole).stdout())
                .containsPattern(clusterRole + "\\s+ClusterRole/" + clusterRole + "\\s+\\d+s");
        assertThat(kubectl.ok("get", "clusterrole", clusterRole, "-o", "jsonpath={.rules[*].nonResourceURLs}")
                .stdout()).isEqualTo("[\"/healthz\"]");
    }

    @Test
    void invalidObjectsAreRefusedWithKubernetesFieldPaths() {
        String result = kubectl.failing("apply", "-n", namespace, "-f", kubectl.manifest("bad.yaml", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: bad}
                rules:
                - {resources: [pods], verbs: [get]}
                - {verbs: [get], nonResourceURLs: [/healthz]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: bad}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Deployment, name: x}
                subjects: [{kind: Robot, name: r2}]
                """).toString()).stderr();

        assertThat(result).contains("rules[0].apiGroups: Required value: resource rules must supply at least one "
                        + "api group")
                .contains("rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot "
                        + "apply to non-resource URLs")
                .contains("roleRef.kind: Unsupported value: \"Deployment\": supported values: \"Role\", "
                        + "\"ClusterRole\"")
                .contains("subjects[0].kind: Unsupported value: \"Robot\"");

        in("create", "rolebinding", "fixed", "--role=reader", "--user=jane");
        assertThat(kubectl.failing("patch", "-n", namespace, "rolebinding", "fixed", "--type=merge", "-p",
                "{\"roleRef\":{\"name\":\"writer\"}}").stderr()).contains("roleRef: Invalid value:")
                .contains("cannot change roleRef");
    }

    @Test
    void theDefaultClusterRolesAndBindingsExist() {
        await().atMost(BOOTSTRAP).untilAsserted(() -> assertThat(kubectl.ok("get", "clusterroles").stdout())
                .containsPattern("(?m)^cluster-admin\\s+\\d{4}-")
                .containsPattern("(?m)^admin\\s").containsPattern("(?m)^edit\\s").containsPattern("(?m)^view\\s")
                .contains("system:aggregate-to-view").contains("system:discovery").contains("system:basic-user")
                .contains("system:public-info-viewer"));
        assertThat(kubectl.ok("get", "clusterrole", "cluster-admin", "-o", "jsonpath={.metadata.labels} "
                + "{.metadata.annotations} {.rules[0].verbs} {.rules[1].nonResourceURLs}").stdout())
                .isEqualTo("{\"kubernetes.io/bootstrapping\":\"rbac-defaults\"} "
                        + "{\"rbac.authorization.kubernetes.io/autoupdate\":\"true\"} [\"*\"] [\"*\"]");
        await().atMost(BOOTSTRAP).untilAsserted(() -> assertThat(kubectl.ok("get", "clusterrolebindings", "-o",
                "wide").stdout())
                .containsPattern("cluster-admin\\s+ClusterRole/cluster-admin\\s+\\S+\\s+system:masters")
                .containsPattern("system:public-info-viewer\\s+ClusterRole/system:public-info-viewer\\s+\\S+\\s+"
                        + "system:authenticated, system:unauthenticated"));
    }

    @Test
    void aggregationFillsTheDefaultRolesAndFollowsNewAggregateToViewRoles() {
        await().atMost(BOOTSTRAP).untilAsserted(() -> {
            assertThat(rules("view")).contains("\"pods\"").contains("\"deployments\"").doesNotContain("\"secrets\"");
            assertThat(rules("edit")).contains("\"secrets\"").contains("\"pods\"");
            assertThat(rules("admin")).contains("\"rolebindings\"").contains("\"secrets\"").contains("\"pods\"");
        });

        String widgets = namespace + "-widgets-view";
        // As an operator's bundle ships one, for a resource of its own that this server need not know.
        kubectl.ok("apply", "-f", kubectl.manifest("widgets-view.yaml", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: %s
                  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
                rules:
                - {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
                """.formatted(widgets)).toString());

        // view gets it, and through view's own aggregate-to-edit label, edit and then admin.
        await().atMost(BOOTSTRAP).untilAsserted(() -> {
            assertThat(rules("view")).contains("\"widgets\"");
            assertThat(rules("admin")).contains("\"widgets\"");
        });
        kubectl.ok("delete", "clusterrole", widgets);
        await().atMost(BOOTSTRAP).untilAsserted(() -> assertThat(rules("view")).doesNotContain("\"widgets\""));
    }

    @Test
    void canIAnswersFromTheStoredRolesForWhomeverIsImpersonated() {
        in("create", "role", "deployer", "--verb=create,get", "--resource=deployments.apps");
        in("create", "rolebinding", "jane-deploys", "--role=deployer", "--user=jane");

        assertThat(canI("create", "deployments", "-n", namespace, "--as=jane")).isEqualTo("yes");
        assertThat(canI("delete", "deployments", "-n", namespace, "--as=jane")).isEqualTo("no");
        assertThat(canI("create", "deployments", "-n", "default", "--as=jane")).isEqualTo("no");
        assertThat(canI("create", "deployments", "-n", namespace, "--as=joe")).isEqualTo("no");
        // Without --as the kubeconfig's user is the implicit admin, in system:masters.
        assertThat(canI("delete", "nodes")).isEqualTo("yes");
        assertThat(canI("create", "deployments", "-n", namespace, "--as=joe", "--as-group=system:masters"))
                .isEqualTo("yes");

        String list = kubectl.ok("auth", "can-i", "--list", "-n", namespace, "--as=jane").stdout();
        assertThat(list.lines().findFirst().orElseThrow())
                .matches("Resources\\s+Non-Resource URLs\\s+Resource Names\\s+Verbs");
        assertThat(list).containsPattern("deployments.apps\\s+\\[\\]\\s+\\[\\]\\s+\\[create get\\]")
                .containsPattern("selfsubjectaccessreviews.authorization.k8s.io\\s+\\[\\]\\s+\\[\\]\\s+\\[create\\]")
                .containsPattern("\\[/healthz\\]\\s+\\[\\]\\s+\\[get\\]");
    }

    /** kubectl auth can-i's answer; it exits 1 for "no", so the exit code is not checked. */
    private String canI(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "auth";
        all[1] = "can-i";
        System.arraycopy(args, 0, all, 2, args.length);
        Kubectl.Result result = kubectl.run(all);
        assertThat(result.stderr()).as(result.describe()).doesNotContain("error");
        return result.stdout().strip();
    }

    private String rules(String clusterRole) {
        return kubectl.ok("get", "clusterrole", clusterRole, "-o", "jsonpath={.rules[*].resources}").stdout();
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }
}
