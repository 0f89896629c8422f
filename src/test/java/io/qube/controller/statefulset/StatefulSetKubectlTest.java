package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl's rollout commands on a StatefulSet the controller runs: status (which reads the status
 * fields), history (which lists the set's ControllerRevisions) and undo (which patches the set with a revision's
 * data). The test marks pods ready as nodes would. Skipped, loudly, only where kubectl is not installed.
 */
@QuarkusTest
@TestProfile(StatefulSetControllerTest.WithStatefulSets.class)
@WithTestResource(EmbeddedPostgresResource.class)
class StatefulSetKubectlTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String WEB = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: web
            spec:
              replicas: 2
              serviceName: nginx
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  terminationGracePeriodSeconds: 0
                  containers:
                  - name: nginx
                    image: nginx:1.27
            """;

    private Kubectl kubectl;

    @Override
    protected String namespacePrefix() {
        return "sts-kubectl";
    }

    @BeforeEach
    void kubectl() {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
    }

    @Test
    void rolloutStatusHistoryAndUndo() throws Exception {
        kubectl.okIn(namespace, "apply", "-f", kubectl.manifest("web.yaml", WEB).toString());

        try (Kubectl.Running status = kubectl.start("-n", namespace, "rollout", "status", "statefulset/web",
                "--timeout=60s")) {
            readyUntil(status, "nginx:1.27");
            assertThat(status.output()).contains("Waiting for").containsPattern("roll(ing update| out) complete");
        }

        kubectl.okIn(namespace, "set", "image", "statefulset/web", "nginx=nginx:1.28");
        try (Kubectl.Running status = kubectl.start("-n", namespace, "rollout", "status", "sts/web",
                "--timeout=60s")) {
            readyUntil(status, "nginx:1.28");
        }

        String history = kubectl.okIn(namespace, "rollout", "history", "statefulset/web").stdout();
        assertThat(history).contains("REVISION").containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
        assertThat(kubectl.okIn(namespace, "rollout", "history", "statefulset/web", "--revision=1").stdout())
                .contains("nginx:1.27");

        assertThat(kubectl.okIn(namespace, "rollout", "undo", "statefulset/web").stdout())
                .contains("statefulset.apps/web rolled back");

        await().atMost(PATIENCE).until(() -> client.apps().statefulSets().inNamespace(namespace).withName("web")
                .get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage().equals("nginx:1.27"));
        try (Kubectl.Running status = kubectl.start("-n", namespace, "rollout", "status", "sts/web",
                "--timeout=60s")) {
            readyUntil(status, "nginx:1.27");
        }
        // The old template's revision is renumbered rather than copied.
        String after = kubectl.okIn(namespace, "rollout", "history", "statefulset/web").stdout();
        assertThat(after).containsPattern("(?m)^2\\s").containsPattern("(?m)^3\\s").doesNotContainPattern("(?m)^1\\s");
    }

    /** Marks each running pod of this image ready until the watching {@code rollout status} exits with success. */
    private void readyUntil(Kubectl.Running status, String image) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                if (ActivePods.isActive(pod) && !ActivePods.isReady(pod)
                        && image.equals(pod.getSpec().getContainers().get(0).getImage())) {
                    cluster.markReady(pod.getMetadata().getName());
                }
            }
            return status.succeeded();
        });
    }
}
