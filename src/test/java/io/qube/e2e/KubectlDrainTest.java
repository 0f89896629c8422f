package io.qube.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerRefs;
import io.qube.controller.ControllerTestBase;
import io.qube.controller.DisruptionControllerProfile;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kubectl drain --ignore-daemonsets --delete-emptydir-data} against the real apiserver and disruption
 * controller: the node is cordoned, its pods are evicted through pods/eviction, an eviction the budget refuses is
 * retried until a replacement elsewhere makes it affordable, and a DaemonSet's pod stays. No agent runs: the pods
 * have no grace period, so an eviction deletes them at once, and the test plays the ReplicaSet controller.
 */
@QuarkusTest
@TestProfile(DisruptionControllerProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class KubectlDrainTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Override
    protected String namespacePrefix() {
        return "drain";
    }

    @Test
    void drainEvictsThePodsAsTheBudgetAllows() throws Exception {
        Kubectl.assumeInstalled();
        Kubectl kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        String node = namespace + "-a";
        String spare = namespace + "-b";
        cluster.createNode(node, null);
        cluster.createNode(spare, null);
        ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).create();
        DaemonSet daemonSet = client.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder()
                .withNewMetadata().withName("agent").endMetadata().withNewSpec().withNewSelector()
                .addToMatchLabels("app", "agent").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "agent").endMetadata().withNewSpec().addNewContainer().withName("agent")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
        pod("web-1", "web", replicaSet, node);
        pod("web-2", "web", replicaSet, node);
        pod("agent-1", "agent", daemonSet, node);
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().withMinAvailable(new IntOrString(1))
                .withNewSelector().addToMatchLabels("app", "web").endSelector().endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> allowed() == 1);

        try (Kubectl.Running drain = kubectl.start("drain", node, "--ignore-daemonsets", "--delete-emptydir-data",
                "--timeout=120s")) {
            // One web pod may go; the other is refused (429) and retried while the budget has no disruption left.
            await().atMost(PATIENCE).until(() -> webPodsOn(node) == 1);
            assertThat(client.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
            await().atMost(PATIENCE).until(() -> allowed() == 0);
            assertThat(drain.succeeded()).isFalse();

            // The replacement the ReplicaSet would start elsewhere makes a disruption affordable again.
            pod("web-3", "web", replicaSet, spare);

            await().atMost(PATIENCE).until(drain::succeeded);
            assertThat(drain.output()).contains("node/" + node + " cordoned").contains("evicted")
                    .contains("node/" + node + " drained");
        }
        assertThat(webPodsOn(node)).isZero();
        assertThat(client.pods().inNamespace(namespace).withName("agent-1").get()).isNotNull();
        assertThat(client.pods().inNamespace(namespace).withName("web-3").get()).isNotNull();
    }

    /** A running, ready pod of the owner on the node, with scratch space and no grace period. */
    private void pod(String name, String app, HasMetadata owner, String node) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app", app).withOwnerReferences(ControllerRefs.controllerRef(owner)).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(0L).addNewContainer().withName(app)
                .withImage("nginx").addNewVolumeMount().withName("scratch").withMountPath("/tmp").endVolumeMount()
                .endContainer().addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build()).create();
        cluster.run(name, node, "10.243.0." + (name.hashCode() & 0x7f), true);
    }

    private long webPodsOn(String node) {
        return client.pods().inNamespace(namespace).withLabel("app", "web").list().getItems().stream()
                .filter(pod -> node.equals(pod.getSpec().getNodeName())).count();
    }

    private int allowed() {
        return client.policy().v1().podDisruptionBudget().inNamespace(namespace).withName("web").get().getStatus()
                .getDisruptionsAllowed();
    }
}
