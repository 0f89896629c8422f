package io.qube.controller.disruption;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerRefs;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.DisruptionControllerProfile;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The disruption controller against the real API, held to kube-controller-manager's behaviour: a budget's status
 * counts the ready pods it selects against minAvailable (as given, or as a percentage of the pods' controllers'
 * scale) or maxUnavailable, allows the difference, says so in its DisruptionAllowed condition, fails safe when a
 * pod's controller is unknown, and forgets an evicted pod that was not deleted once its timeout passed. No
 * scheduler or agent runs: the tests bind pods and report their readiness.
 */
@QuarkusTest
@TestProfile(DisruptionControllerProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class DisruptionControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NODE = "pdb-node";

    @Override
    protected String namespacePrefix() {
        return "pdb";
    }

    @Test
    void minAvailableIsCountedAgainstTheReadyPods() {
        cluster.createNode(NODE, null);
        for (int i = 1; i <= 3; i++) {
            pod("web-" + i, null);
        }
        cluster.run("web-1", NODE, "10.241.0.1", true);
        cluster.run("web-2", NODE, "10.241.0.2", true);
        cluster.run("web-3", NODE, "10.241.0.3", false);
        budget(new IntOrString(1), null);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts()).isEqualTo("2 1 3 1"));
        PodDisruptionBudgetStatus status = status();
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(allowedCondition()).isNotNull().satisfies(condition -> {
            assertThat(condition.getStatus()).isEqualTo("True");
            assertThat(condition.getReason()).isEqualTo("SufficientPods");
        });

        cluster.setReady("web-2", false);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts()).isEqualTo("1 1 3 0"));
        assertThat(allowedCondition()).isNotNull().satisfies(condition -> {
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo("InsufficientPods");
        });
    }

    @Test
    void aPercentageIsOfTheScaleOfTheDeploymentBehindThePods() {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().withReplicas(4)
                .withNewSelector().addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).create();
        ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("web-5d4f").withOwnerReferences(ControllerRefs.controllerRef(deployment))
                .endMetadata().withNewSpec().withReplicas(4).withNewSelector().addToMatchLabels("app", "web")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        cluster.createNode(NODE, null);
        pod("web-5d4f-a", replicaSet);
        pod("web-5d4f-b", replicaSet);
        cluster.run("web-5d4f-a", NODE, "10.241.1.1", true);
        cluster.run("web-5d4f-b", NODE, "10.241.1.2", true);
        budget(null, new IntOrString("25%"));

        // Four expected (the Deployment's replicas, not the two pods), one of them may be unavailable: three must
        // be healthy and only two are.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts()).isEqualTo("2 3 4 0"));

        client.apps().deployments().inNamespace(namespace).withName("web")
                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(2).endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts()).isEqualTo("2 1 2 1"));
    }

    @Test
    void aPodWhoseControllerIsUnknownMakesTheBudgetFailSafe() {
        cluster.createNode(NODE, null);
        OwnerReference gone = new OwnerReference("apps/v1", true, true, "ReplicaSet", "vanished",
                "00000000-0000-0000-0000-000000000001");
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("orphan")
                .addToLabels("app", "web").withOwnerReferences(gone).endMetadata().withNewSpec().addNewContainer()
                .withName("web").withImage("nginx").endContainer().endSpec().build()).create();
        cluster.run("orphan", NODE, "10.241.2.1", true);
        budget(new IntOrString("50%"), null);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(allowedCondition()).isNotNull().satisfies(condition -> {
            assertThat(condition.getStatus()).isEqualTo("False");
            assertThat(condition.getReason()).isEqualTo("SyncFailed");
            assertThat(condition.getMessage()).isEqualTo("found no controllers for pod \"orphan\"");
        }));
        assertThat(status().getDisruptionsAllowed()).isZero();
        await().atMost(PATIENCE).until(() -> !cluster.events("CalculateExpectedPodCountFailed").isEmpty());
    }

    @Test
    void anEvictedPodThatStaysIsCountedAgainAfterItsTimeout() {
        cluster.createNode(NODE, null);
        pod("web-1", null);
        pod("web-2", null);
        cluster.run("web-1", NODE, "10.241.3.1", true);
        cluster.run("web-2", NODE, "10.241.3.2", true);
        budget(new IntOrString(1), null);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts()).isEqualTo("2 1 2 1"));

        // What an eviction records just before it deletes the pod; here the pod is not deleted.
        String evicted = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName("web")
                .editStatus(b -> new PodDisruptionBudgetBuilder(b).editStatus().withDisruptionsAllowed(0)
                        .withDisruptedPods(Map.of("web-1", evicted)).endStatus().build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(status().getDisruptedPods()).containsExactly(Map.entry("web-1", evicted));
            assertThat(counts()).isEqualTo("1 1 2 0");
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(status().getDisruptedPods()).isNullOrEmpty();
            assertThat(counts()).isEqualTo("2 1 2 1");
        });
        assertThat(cluster.events("NotDeleted")).isNotEmpty();
    }

    private void pod(String name, HasMetadata owner) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec();
        if (owner != null) {
            pod.editMetadata().withOwnerReferences(ControllerRefs.controllerRef(owner)).endMetadata();
        }
        client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private void budget(IntOrString minAvailable, IntOrString maxUnavailable) {
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().withMinAvailable(minAvailable)
                .withMaxUnavailable(maxUnavailable).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .endSpec().build()).create();
    }

    private PodDisruptionBudgetStatus status() {
        PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().inNamespace(namespace)
                .withName("web").get();
        return budget.getStatus();
    }

    /** currentHealthy desiredHealthy expectedPods disruptionsAllowed. */
    private String counts() {
        PodDisruptionBudgetStatus status = status();
        return status.getCurrentHealthy() + " " + status.getDesiredHealthy() + " " + status.getExpectedPods() + " "
                + status.getDisruptionsAllowed();
    }

    private Condition allowedCondition() {
        return status().getConditions() == null ? null : status().getConditions().stream()
                .filter(c -> "DisruptionAllowed".equals(c.getType())).findFirst().orElse(null);
    }
}
