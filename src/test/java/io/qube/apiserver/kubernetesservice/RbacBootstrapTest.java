package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The default RBAC policy: made at start, and on a reconcile given back what an auto-updated role or binding lost
 * while what users added stays; an object whose autoupdate annotation is "false" is left alone.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class RbacBootstrapTest {

    @TestHTTPResource("/")
    URL server;

    private KubernetesClient client;

    @BeforeEach
    void connect() {
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.toString()).build()).build();
        // The bindings come last at start.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.rbac().clusterRoleBindings().withName("system:public-info-viewer").get() != null);
    }

    /** Puts a role and a binding back as the policy has them, for the other tests on this server. */
    private void restore(String role, String binding) {
        ClusterRole wanted = BootstrapPolicy.clusterRoles().stream()
                .filter(candidate -> candidate.getMetadata().getName().equals(role)).findFirst().orElseThrow();
        client.rbac().clusterRoles().withName(role).edit(current -> {
            current.setRules(wanted.getRules());
            return current;
        });
        client.rbac().clusterRoleBindings().withName(binding).edit(current -> {
            current.setSubjects(BootstrapPolicy.clusterRoleBindings().stream()
                    .filter(candidate -> candidate.getMetadata().getName().equals(binding)).findFirst().orElseThrow()
                    .getSubjects());
            return current;
        });
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void everyDefaultRoleAndBindingIsMadeMarkedAsKubernetesMarksThem() {
        for (ClusterRole role : BootstrapPolicy.clusterRoles()) {
            ClusterRole stored = client.rbac().clusterRoles().withName(role.getMetadata().getName()).get();
            assertThat(stored).as(role.getMetadata().getName()).isNotNull();
            assertThat(stored.getMetadata().getLabels()).containsEntry("kubernetes.io/bootstrapping", "rbac-defaults");
            assertThat(stored.getMetadata().getAnnotations())
                    .containsEntry("rbac.authorization.kubernetes.io/autoupdate", "true");
        }
        assertThat(client.rbac().clusterRoleBindings().withName("cluster-admin").get().getSubjects())
                .singleElement().satisfies(subject -> assertThat(subject.getName()).isEqualTo("system:masters"));
        assertThat(client.rbac().clusterRoles().withName("system:basic-user").get().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getResources())
                        .containsExactly("selfsubjectaccessreviews", "selfsubjectrulesreviews"));
    }

    @Test
    void lostRulesAndSubjectsComeBackAndAdditionsStay() {
        client.rbac().clusterRoles().withName("system:basic-user").edit(role -> {
            role.getRules().clear();
            role.getRules().add(new PolicyRuleBuilder().withVerbs("get")
                    .withApiGroups("").withResources("configmaps").build());
            return role;
        });
        client.rbac().clusterRoleBindings().withName("system:discovery").edit(binding -> {
            binding.getSubjects().get(0).setName("team-a");
            return binding;
        });

        RbacBootstrap.ensure(client);

        assertThat(client.rbac().clusterRoles().withName("system:basic-user").get().getRules())
                .extracting(rule -> rule.getResources().get(0)).containsExactly("configmaps", "selfsubjectaccessreviews");
        assertThat(client.rbac().clusterRoleBindings().withName("system:discovery").get().getSubjects())
                .extracting(subject -> subject.getName()).containsExactly("team-a", "system:authenticated");
        restore("system:basic-user", "system:discovery");
    }

    @Test
    void aRoleNotToBeUpdatedIsLeftAlone() {
        client.rbac().clusterRoles().withName("system:public-info-viewer").edit(role -> {
            role.getMetadata().getAnnotations().put("rbac.authorization.kubernetes.io/autoupdate", "false");
            role.setRules(List.of());
            return role;
        });

        RbacBootstrap.ensure(client);

        assertThat(client.rbac().clusterRoles().withName("system:public-info-viewer").get().getRules()).isEmpty();
        client.rbac().clusterRoles().withName("system:public-info-viewer").edit(role -> {
            role.getMetadata().getAnnotations().put("rbac.authorization.kubernetes.io/autoupdate", "true");
            return role;
        });
        RbacBootstrap.ensure(client);
        assertThat(client.rbac().clusterRoles().withName("system:public-info-viewer").get().getRules())
                .singleElement().satisfies(rule -> assertThat(rule.getNonResourceURLs()).contains("/healthz"));
    }
}
