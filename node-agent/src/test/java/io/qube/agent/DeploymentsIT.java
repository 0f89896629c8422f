package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deployments as a user drives them with the real kubectl, end to end: the packaged control plane (scheduler,
 * Deployment and ReplicaSet controllers) and three simulated nodes a real `qube agent --runtime simulated` runs,
 * whose pods become Running and Ready. Create, rollout status, set image, rollout history, undo, restart, pause and
 * resume, scale, and a deleted pod replaced.
 */
class DeploymentsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String NAMESPACE = "default";

    private static SimulatedCluster cluster;
    private static KubernetesClient client;
    private static Kubectl kubectl;

    @BeforeAll
    static void startClusterOfThreeSimulatedNodes() throws Exception {
        cluster = SimulatedCluster.start(3, "d", "--cpu", "4", "--memory", "8Gi", "--max-pods", "30");
        client = cluster.client;
        kubectl = cluster.kubectl;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            client.apps().deployments().inNamespace(NAMESPACE).delete();
            client.apps().replicaSets().inNamespace(NAMESPACE).delete();
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        } finally {
            cluster.close();
        }
    }

    @Test
    void kubectlRolloutsReadAsOnKubernetes() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3");
        assertThat(rolloutStatus("web")).contains("deployment \"web\" successfully rolled out");
        assertThat(readyPods("web")).hasSize(3);
        assertThat(kubectl.ok("get", "deployment", "web")).containsPattern("web\\s+3/3\\s+3\\s+3");

        kubectl.ok("annotate", "deployment/web", "kubernetes.io/change-cause=to nginx 1.28");
        kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.28");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.28");
        String history = kubectl.ok("rollout", "history", "deployment/web");
        assertThat(history).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s+to nginx 1.28");
        assertThat(kubectl.ok("rollout", "history", "deployment/web", "--revision=1")).contains("nginx:1.27");

        kubectl.ok("rollout", "undo", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.27");
        // The old ReplicaSet came back under revision 3: still two ReplicaSets.
        assertThat(replicaSets("web")).hasSize(2);
        assertThat(deployment("web").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision", "3");

        kubectl.ok("rollout", "restart", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(replicaSets("web")).hasSize(3);

        kubectl.ok("rollout", "pause", "deployment/web");
        kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.29");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(replicaSets("web")).hasSize(3));
        assertThat(kubectl.ok("rollout", "status", "deployment/web", "--watch=false"))
                .contains("Waiting for deployment \"web\" rollout to finish");
        kubectl.ok("rollout", "resume", "deployment/web");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(images("web")).containsOnly("nginx:1.29");

        kubectl.ok("scale", "deployment/web", "--replicas=5");
        assertThat(rolloutStatus("web")).contains("successfully rolled out");
        assertThat(readyPods("web")).hasSize(5);

        String describe = kubectl.ok("describe", "deployment", "web");
        assertThat(describe).contains("NewReplicaSetAvailable").containsPattern("Scaled up replica set web-\\w+ from");
    }

    @Test
    void aDeletedPodIsReplacedAndRecreateStopsOldPodsFirst() throws Exception {
        kubectl.ok("create", "deployment", "api", "--image=nginx:1.27", "--replicas=2");
        assertThat(rolloutStatus("api")).contains("successfully rolled out");
        String gone = readyPods("api").get(0).getMetadata().getName();

        kubectl.ok("delete", "pod", gone, "--wait=false");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(readyPods("api")).hasSize(2)
                .noneMatch(pod -> pod.getMetadata().getName().equals(gone)));

        kubectl.ok("patch", "deployment", "api", "--type=merge", "-p",
                "{\"spec\":{\"strategy\":{\"type\":\"Recreate\",\"rollingUpdate\":null}}}");
        kubectl.ok("set", "image", "deployment/api", "nginx=nginx:1.28");
        assertThat(rolloutStatus("api")).contains("successfully rolled out");
        assertThat(images("api")).containsOnly("nginx:1.28");
    }

    @Test
    void kubectlRolloutStatusReportsAnExceededProgressDeadline() throws Exception {
        // Its pods can go nowhere, so the rollout never progresses.
        client.apps().deployments().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("stuck").endMetadata().withNewSpec().withReplicas(1)
                .withProgressDeadlineSeconds(3).withNewSelector().addToMatchLabels("app", "stuck").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "stuck").endMetadata().withNewSpec()
                .addToNodeSelector("no-such-label", "anywhere").addNewContainer().withName("nginx")
                .withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build()).create();

        Kubectl.Result status = kubectl.run("rollout", "status", "deployment/stuck", "--timeout=50s");

        assertThat(status.exitCode()).isNotZero();
        assertThat(status.out()).contains("deployment \"stuck\" exceeded its progress deadline");
        kubectl.ok("delete", "deployment", "stuck");
    }

    @Test
    void kubectlDeleteCascadesUnlessOrphaned() throws Exception {
        kubectl.ok("create", "deployment", "gone", "--image=nginx:1.27", "--replicas=2");
        kubectl.ok("create", "deployment", "kept", "--image=nginx:1.27", "--replicas=2");
        assertThat(rolloutStatus("gone")).contains("successfully rolled out");
        assertThat(rolloutStatus("kept")).contains("successfully rolled out");

        // kubectl waits for the Deployment itself to go; the collector takes its ReplicaSet and pods after it.
        kubectl.ok("delete", "deployment", "gone", "--timeout=60s");
        kubectl.ok("delete", "deployment", "kept", "--cascade=orphan");

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NAMESPACE).withLabel("app", "gone").list().getItems()).isEmpty();
            assertThat(client.apps().replicaSets().inNamespace(NAMESPACE).withLabel("app", "gone").list()
                    .getItems()).isEmpty();
        });
        assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("kept").get()).isNull();
        List<ReplicaSet> orphans = client.apps().replicaSets().inNamespace(NAMESPACE).withLabel("app", "kept").list()
                .getItems();
        assertThat(orphans).hasSize(1);
        assertThat(orphans.get(0).getMetadata().getOwnerReferences()).isEmpty();
        assertThat(readyPods("kept")).hasSize(2);
        kubectl.ok("delete", "replicaset", "-l", "app=kept", "--cascade=foreground", "--timeout=60s");
        assertThat(client.pods().inNamespace(NAMESPACE).withLabel("app", "kept").list().getItems()).isEmpty();
    }

    private String rolloutStatus(String name) throws Exception {
        return kubectl.ok("rollout", "status", "deployment/" + name, "--timeout=80s");
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    private List<ReplicaSet> replicaSets(String name) {
        String uid = deployment(name).getMetadata().getUid();
        return client.apps().replicaSets().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(set -> set.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid())))
                .toList();
    }

    private List<Pod> readyPods(String app) {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                        && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .toList();
    }

    /** The images of the app's pods that are not being deleted. */
    private List<String> images(String app) {
        return client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .map(pod -> pod.getSpec().getContainers().get(0).getImage()).distinct().toList();
    }
}
