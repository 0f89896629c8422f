package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node lifecycle controller and the pod garbage collector against the real API, with Nodes and Leases written
 * as an agent would (or would stop writing them), the grace period lowered to 3 s and the default toleration of an
 * unreachable node to 2 s: a silent node turns Unknown, is tainted unreachable, its pods turn not Ready and are
 * marked for deletion when their toleration runs out (not before, and never for an unbounded one); a node reporting again
 * loses the taints; a cordon and NotReady become taints; pods of a deleted node and terminated pods beyond the
 * threshold are removed.
 */
@QuarkusTest
@TestProfile(NodeLifecycleControllerTest.WithNodeLifecycle.class)
@WithTestResource(EmbeddedPostgresResource.class)
class NodeLifecycleControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    public static class WithNodeLifecycle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.node-lifecycle.enabled", "true",
                    "qube.controllers.node-lifecycle.monitor-grace-period", "3s",
                    "qube.controllers.node-lifecycle.monitor-period", "500ms",
                    "qube.controllers.pod-gc.enabled", "true",
                    "qube.controllers.pod-gc.period", "500ms",
                    "qube.controllers.pod-gc.terminated-pod-threshold", "2",
                    "qube.apiserver.default-unreachable-toleration-seconds", "2");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "nl";
    }

    @Test
    void aSilentNodeTurnsUnknownIsTaintedAndItsPodsAreEvictedAsTheirTolerationsSay() {
        String node = node("silent", "True");
        lease(node);
        pod("defaulted", node, null);
        pod("patient", node, 3600L);
        pod("forever", node, -1L);
        cluster.markReady("patient");

        await().atMost(PATIENCE).untilAsserted(() -> {
            Node unknown = client.nodes().withName(node).get();
            assertThat(ConditionTaints.status(unknown, "Ready")).isEqualTo("Unknown");
            assertThat(ConditionTaints.condition(unknown, "Ready").getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(taints(node)).extracting(t -> t.getKey() + ":" + t.getEffect())
                    .containsExactlyInAnyOrder("node.kubernetes.io/unreachable:NoSchedule",
                            "node.kubernetes.io/unreachable:NoExecute");
        });
        // The admission default (2 s here) runs out; the hour and the unbounded toleration do not. The evicted pod
        // is marked for deletion and, its node being silent, nothing confirms it: it stays Terminating, as in
        // Kubernetes, while its controller (if any) replaces it.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(namespace)
                .withName("defaulted").get().getMetadata().getDeletionTimestamp()).isNotNull());
        assertThat(cluster.events("TaintManagerEviction")).extracting(e -> e.getInvolvedObject().getName())
                .containsExactly("defaulted");
        Pod patient = client.pods().inNamespace(namespace).withName("patient").get();
        assertThat(patient.getMetadata().getDeletionTimestamp()).isNull();
        assertThat(patient.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                .extracting(c -> c.getStatus()).containsExactly("False");
        assertThat(client.pods().inNamespace(namespace).withName("forever").get().getMetadata()
                .getDeletionTimestamp()).isNull();
        assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anyMatch(e -> e.getReason().equals("NodeNotReady") && e.getInvolvedObject().getName().equals(node));
    }

    @Test
    void aNodeReportingReadyAgainLosesTheTaints() {
        String node = node("returning", "True");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(taints(node)).isNotEmpty());

        client.nodes().withName(node).editStatus(n -> new NodeBuilder(n).editStatus().withConditions(
                ready("True")).endStatus().build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(ConditionTaints.status(client.nodes().withName(node).get(), "Ready")).isEqualTo("True");
            assertThat(taints(node)).isEmpty();
        });
    }

    @Test
    void aNotReadyNodeAndACordonedNodeAreTainted() {
        String notReady = node("notready", "False");
        String cordoned = node("cordoned", "True");
        lease(notReady);
        client.nodes().withName(cordoned).edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true).endSpec()
                .build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(taints(notReady)).extracting(t -> t.getKey() + ":" + t.getEffect())
                    .contains("node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute");
            assertThat(taints(cordoned)).extracting(t -> t.getKey() + ":" + t.getEffect())
                    .contains("node.kubernetes.io/unschedulable:NoSchedule");
        });
    }

    @Test
    void podsOfADeletedNodeAndTerminatedPodsBeyondTheThresholdAreRemoved() {
        String node = node("doomed", "True");
        pod("stranded", node, null);
        client.nodes().withName(node).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(namespace)
                .withName("stranded").get()).isNull());

        // Terminated pods across the whole cluster count: this namespace's three are the newest, so the
        // threshold of two keeps the two newer ones. Creation times have whole seconds: done-1 is made a second
        // before the others, so that it is the oldest beyond doubt.
        String live = node("host", "True");
        pod("done-1", live, -1L);
        Instant first = Instant.parse(client.pods().inNamespace(namespace).withName("done-1").get().getMetadata()
                .getCreationTimestamp());
        await().atMost(PATIENCE).until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(first));
        pod("done-2", live, -1L);
        pod("done-3", live, -1L);
        for (String name : List.of("done-1", "done-2", "done-3")) {
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).editStatus()
                    .withPhase("Succeeded").endStatus().build());
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(client.pods().inNamespace(namespace).list()
                .getItems()).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("done-2", "done-3"));
    }

    /** A node named after this test's namespace, created with the Ready condition an agent would report. */
    private String node(String suffix, String ready) {
        String name = namespace + "-" + suffix;
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withConditions(ready(ready)).endStatus().build()).create();
        return name;
    }

    private static io.fabric8.kubernetes.api.model.NodeCondition ready(String status) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return new NodeConditionBuilder().withType("Ready").withStatus(status).withReason("KubeletReady")
                .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
    }

    private void lease(String node) {
        client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder().withNewMetadata().withName(node)
                .endMetadata().withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(40)
                .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build()).create();
    }

    /** A pod on the node; {@code seconds}: its own unreachable toleration (-1: unbounded, null: the default). */
    private void pod(String name, String node, Long seconds) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNodeName(node).addNewContainer().withName("c").withImage("nginx").endContainer().endSpec();
        if (seconds != null) {
            pod.editSpec().addToTolerations(new TolerationBuilder().withKey("node.kubernetes.io/unreachable")
                    .withOperator("Exists").withEffect("NoExecute").withTolerationSeconds(seconds < 0 ? null : seconds)
                    .build()).endSpec();
        }
        client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private List<Taint> taints(String node) {
        Node current = client.nodes().withName(node).get();
        return current.getSpec() == null ? List.of() : current.getSpec().getTaints();
    }
}
