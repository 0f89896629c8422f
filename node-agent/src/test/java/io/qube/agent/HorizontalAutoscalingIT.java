package io.qube.agent;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRulesBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The horizontal pod autoscaler end to end on a process-runtime node: a Deployment of pods that burn cpu up to
 * their limit (25 times their request) while a marker file exists is scaled up by an autoscaler on 100% average
 * cpu utilization to the count Kubernetes' algorithm gives for the utilization it measured through the
 * metrics.k8s.io API, and back down to its minimum once the load stops, no sooner than its (shortened) scale-down
 * stabilization window; `kubectl get hpa` shows the measured utilization against the target. The node uses the
 * hpa helper's own bridges and addresses ({@code hpae2e<i>}, 10.123.i.0/24).
 */
class HorizontalAutoscalingIT {

    private static final Duration PATIENCE = Duration.ofMinutes(4);
    private static final String NS = "autoscaling";
    private static final int MAX = 6;
    private static final int DOWN_WINDOW_SECONDS = 20;

    private static ProcessCluster cluster;
    private static Path load;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ProcessCluster.start(Map.of("qube.controllers.horizontal-pod-autoscaler.sync-period", "5s"), 1,
                "hpa", new ProcessCluster.Network("hpae2e", "10.123."));
        load = Files.createTempDirectory("qube-hpa-load").resolve("burn");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            Files.deleteIfExists(load);
            Files.deleteIfExists(load.getParent());
            cluster.close();
        }
    }

    @Test
    void aDeploymentOfCpuBurnersScalesUpToTheComputedCountAndDownWhenTheLoadStops() throws Exception {
        Files.writeString(load, "burn");
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).create();
        // Each pod spins while the file exists (up to its 250m limit: 2500% of its 10m request), then idles. The
        // small request keeps the burners far above the target on a saturated machine, where their cpu shares
        // (which follow the request) can leave each with less than a 100m request: with 100m, one run under a
        // load of 40 was scaled down while the load was still on.
        cluster.client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("burn").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", "burn").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "burn").endMetadata().withNewSpec().withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("burn").withImage("busybox")
                .withCommand("sh", "-c", "while [ -e " + load + " ]; do :; done; exec sleep 3600")
                .withNewResources().addToRequests("cpu", new Quantity("10m"))
                .addToLimits("cpu", new Quantity("250m")).endResources().endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> cluster.readyPods(NS, "burn").size() == 1);

        List<HorizontalPodAutoscalerStatus> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS)
                .withName("burn").watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, HorizontalPodAutoscaler hpa) {
                        if (hpa.getStatus() != null) {
                            seen.add(hpa.getStatus());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        // the test ends it
                    }
                })) {
            cluster.client.resource(autoscaler()).create();

            // The first rescale: from one pod to ceil(utilization / 100%) of it, as measured in the same reconcile.
            HorizontalPodAutoscalerStatus firstScale = await().atMost(PATIENCE).until(() -> seen.stream()
                    .filter(status -> status.getDesiredReplicas() != null && status.getDesiredReplicas() > 1)
                    .findFirst().orElse(null), status -> status != null);
            int utilization = cpuUtilization(firstScale);
            assertThat(utilization).as("the burner's measured utilization").isGreaterThan(110);
            // Bounded by max and by the default scale-up policies a given behavior gets (4 pods or 100% per 15 s).
            int expected = Math.min(Math.min(MAX, 5), (int) Math.ceil(utilization / 100.0));
            assertThat(firstScale.getDesiredReplicas()).isEqualTo(expected);
            assertThat(firstScale.getCurrentReplicas()).isEqualTo(1);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(rescales()).contains("New size: " + expected
                    + "; reason: cpu resource utilization (percentage of request) above target"));
            await().atMost(PATIENCE).until(() -> cluster.readyPods(NS, "burn").size() >= expected);

            String table = cluster.kubectl.ok("-n", NS, "get", "hpa");
            assertThat(table).containsPattern("NAME\\s+REFERENCE\\s+TARGETS\\s+MINPODS\\s+MAXPODS\\s+REPLICAS\\s+AGE")
                    .containsPattern("burn\\s+Deployment/burn\\s+cpu: \\d+%/100%\\s+1\\s+" + MAX + "\\s+\\d+\\s+\\S+");

            // Load off: the pods idle, utilization falls below the target (an idle shell's 1m is 10% of its 10m
            // request), and after the window the autoscaler goes back to 1.
            Instant stopped = Instant.now();
            Files.delete(load);
            await().atMost(PATIENCE).until(() -> cluster.client.apps().deployments().inNamespace(NS)
                    .withName("burn").get().getSpec().getReplicas() == 1);
            // The controller scales the target first and writes its own status after: wait for the status too.
            HorizontalPodAutoscaler hpa = await().atMost(PATIENCE).until(() -> cluster.client.autoscaling().v2()
                    .horizontalPodAutoscalers().inNamespace(NS).withName("burn").get(), found -> found.getStatus()
                    != null && Integer.valueOf(1).equals(found.getStatus().getDesiredReplicas()));
            Instant scaledDown = Instant.parse(hpa.getStatus().getLastScaleTime());
            assertThat(Duration.between(stopped, scaledDown)).as("the scale-down waited for its window; rescales %s; status %s", rescales(), hpa.getStatus())
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(DOWN_WINDOW_SECONDS - 1));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(rescales())
                    .contains("New size: 1; reason: All metrics below target"));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.kubectl.ok("-n", NS, "get", "hpa"))
                    .containsPattern("burn\\s+Deployment/burn\\s+cpu: \\d{1,2}%/100%\\s+1\\s+" + MAX + "\\s+1\\s+"));
        }
    }

    /** On 100% of the pods' cpu requests, 1 to 6 pods, scaling down over a 20 s window instead of 5 minutes. */
    private static HorizontalPodAutoscaler autoscaler() {
        return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("burn").withNamespace(NS)
                .endMetadata().withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName("burn").endScaleTargetRef().withMinReplicas(1).withMaxReplicas(MAX)
                .withMetrics(new MetricSpecBuilder().withType("Resource").withNewResource().withName("cpu")
                        .withNewTarget().withType("Utilization").withAverageUtilization(100).endTarget()
                        .endResource().build())
                .withNewBehavior().withScaleDown(new HPAScalingRulesBuilder()
                        .withStabilizationWindowSeconds(DOWN_WINDOW_SECONDS).build()).endBehavior()
                .endSpec().build();
    }

    /** The messages of the autoscaler's SuccessfulRescale events. */
    private static List<String> rescales() {
        return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(event -> "SuccessfulRescale".equals(event.getReason())).map(event -> event.getMessage())
                .toList();
    }

    private static int cpuUtilization(HorizontalPodAutoscalerStatus status) {
        return status.getCurrentMetrics().stream().map(MetricStatus::getResource)
                .filter(resource -> resource != null && "cpu".equals(resource.getName()))
                .map(resource -> resource.getCurrent().getAverageUtilization()).findFirst()
                .orElseThrow(() -> new AssertionError("no cpu utilization in " + status));
    }
}
