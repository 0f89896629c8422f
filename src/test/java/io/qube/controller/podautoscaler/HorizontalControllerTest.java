package io.qube.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The autoscaler controller against the real API, with no metrics for it to read: the autoscaler says so in its
 * ScalingActive condition and events as Kubernetes' does, still keeps its target within min and max through the
 * scale subresource, reports a missing target and a target scaled to zero, and `kubectl autoscale` / `kubectl get
 * hpa` show it as kubectl shows Kubernetes' (TARGETS {@code cpu: <unknown>/50%}). No ReplicaSet controller or
 * node runs: the Deployments' scale is what is watched.
 */
@QuarkusTest
@TestProfile(HorizontalControllerTest.WithAutoscalers.class)
@WithTestResource(EmbeddedPostgresResource.class)
class HorizontalControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** The autoscaler controller, looking at each autoscaler every second instead of every 15. */
    public static class WithAutoscalers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.horizontal-pod-autoscaler.enabled", "true",
                    "qube.controllers.horizontal-pod-autoscaler.sync-period", "1s");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "hpa";
    }

    @Test
    void withoutMetricsScalingIsInactiveWithKubernetesReasonsAndEvents() {
        deployment("web", 2);
        autoscaler("web", "web", 1, 5);

        await().atMost(PATIENCE).untilAsserted(() -> {
            HorizontalPodAutoscaler hpa = get("web");
            assertThat(condition(hpa, "AbleToScale")).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("SucceededGetScale");
                assertThat(c.getMessage()).isEqualTo("the HPA controller was able to get the target's current scale");
            });
            assertThat(condition(hpa, "ScalingActive")).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("FailedGetResourceMetric");
                assertThat(c.getMessage()).startsWith("the HPA was unable to compute the replica count: failed to "
                        + "get cpu utilization: unable to get metrics for resource cpu: ");
            });
            assertThat(hpa.getStatus().getCurrentReplicas()).isEqualTo(2);
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(cluster.events("FailedGetResourceMetric")).isNotEmpty().allSatisfy(event -> {
                assertThat(event.getType()).isEqualTo("Warning");
                assertThat(event.getInvolvedObject().getKind()).isEqualTo("HorizontalPodAutoscaler");
                assertThat(event.getSource().getComponent()).isEqualTo("horizontal-pod-autoscaler");
                assertThat(event.getMessage()).startsWith("failed to get cpu utilization: unable to get metrics "
                        + "for resource cpu: ");
            });
            assertThat(cluster.events("FailedComputeMetricsReplicas")).extracting(Event::getMessage)
                    .anySatisfy(message -> assertThat(message).startsWith("invalid metrics (1 invalid out of 1), "
                            + "first error is: failed to get cpu resource metric value: failed to get cpu "
                            + "utilization: unable to get metrics for resource cpu: "));
        });
        // The size is left alone: nothing is known to scale on.
        assertThat(client.apps().deployments().inNamespace(namespace).withName("web").get().getSpec().getReplicas())
                .isEqualTo(2);
        assertThat(cluster.events("SuccessfulRescale")).isEmpty();
    }

    @Test
    void aTargetAboveMaxReplicasIsScaledDownToIt() {
        deployment("big", 8);
        autoscaler("big", "big", 1, 5);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.apps().deployments().inNamespace(namespace)
                .withName("big").get().getSpec().getReplicas()).isEqualTo(5));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(cluster.events("SuccessfulRescale")).extracting(Event::getMessage)
                    .containsExactly("New size: 5; reason: Current number of replicas above Spec.MaxReplicas");
            HorizontalPodAutoscaler hpa = get("big");
            assertThat(hpa.getStatus().getLastScaleTime()).isNotNull();
            assertThat(hpa.getStatus().getDesiredReplicas()).isEqualTo(5);
            assertThat(condition(hpa, "AbleToScale").getReason()).isIn("SucceededRescale", "SucceededGetScale");
        });
    }

    @Test
    void aMissingTargetCannotBeScaled() {
        autoscaler("lost", "missing", 1, 3);

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(condition(get("lost"), "AbleToScale")).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("FailedGetScale");
                assertThat(c.getMessage()).isEqualTo("the HPA controller was unable to get the target's current "
                        + "scale: deployments.apps \"missing\" not found");
            });
            assertThat(cluster.events("FailedGetScale")).extracting(Event::getMessage)
                    .contains("deployments.apps \"missing\" not found");
        });
    }

    @Test
    void aTargetScaledToZeroDisablesScaling() {
        deployment("idle", 0);
        autoscaler("idle", "idle", 1, 3);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(condition(get("idle"), "ScalingActive"))
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("ScalingDisabled");
                    assertThat(c.getMessage()).isEqualTo("scaling is disabled since the replica count of the target "
                            + "is zero");
                }));
        assertThat(client.apps().deployments().inNamespace(namespace).withName("idle").get().getSpec().getReplicas())
                .isZero();
    }

    @Test
    void kubectlAutoscaleAndGetHpaShowTheTargetsAsKubectlDoes() {
        Kubectl kubectl = Kubectl.forTestServer(server);
        deployment("api", 1);

        kubectl.ok("-n", namespace, "autoscale", "deployment", "api", "--cpu-percent=50", "--min=1", "--max=5");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(condition(get("api"), "ScalingActive").getReason())
                .isEqualTo("FailedGetResourceMetric"));
        String table = kubectl.ok("-n", namespace, "get", "hpa").stdout();
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).matches("NAME\\s+REFERENCE\\s+TARGETS\\s+MINPODS\\s+MAXPODS\\s+REPLICAS\\s+AGE");
        assertThat(lines.get(1)).matches("api\\s+Deployment/api\\s+cpu: <unknown>/50%\\s+1\\s+5\\s+1\\s+\\S+");
        String described = kubectl.ok("-n", namespace, "describe", "hpa", "api").stdout();
        assertThat(described).contains("ScalingActive", "FailedGetResourceMetric", "AbleToScale", "SucceededGetScale");
        // A Table watch through the v1 version renders the same row (it once decoded v1 bodies as v2: <none>).
        try (Kubectl.Running watch = kubectl.start("-n", namespace, "get", "horizontalpodautoscalers.v1.autoscaling",
                "api", "-w")) {
            String row = "(?m)^api\\s+Deployment/api\\s+cpu: <unknown>/50%\\s+1\\s+5\\s+1\\s";
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(watch.output()).containsPattern(row));
            // The first row comes from a list; a change makes the watch itself send one.
            kubectl.ok("-n", namespace, "annotate", "hpa", "api", "touched=yes");
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(watch.output().lines()
                    .filter(line -> line.matches(row.substring(4) + ".*")).count()).isEqualTo(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void deployment(String name, int replicas) {
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
                .withName(name).endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                .addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("app")
                .withImage("app").withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private void autoscaler(String name, String deployment, int min, int max) {
        client.resource(new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withNewSpec().withNewScaleTargetRef()
                .withApiVersion("apps/v1").withKind("Deployment").withName(deployment).endScaleTargetRef()
                .withMinReplicas(min).withMaxReplicas(max)
                .withMetrics(new MetricSpecBuilder().withType("Resource").withNewResource().withName("cpu")
                        .withNewTarget().withType("Utilization").withAverageUtilization(50).endTarget()
                        .endResource().build())
                .endSpec().build()).create();
    }

    private HorizontalPodAutoscaler get(String name) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get();
    }

    private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler hpa, String type) {
        assertThat(hpa.getStatus()).isNotNull();
        assertThat(hpa.getStatus().getConditions()).isNotNull();
        return hpa.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + hpa.getStatus()));
    }
}
