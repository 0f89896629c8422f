package io.qube.controller.replicaset;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ReplicaSet controller against the real API: it creates pods to match replicas (owned, from the template),
 * deletes the surplus in Kubernetes' order, replaces a deleted pod, adopts a matching orphan and releases a pod
 * relabelled out of its selector, and writes status (replicas, ready, available, observedGeneration) and events.
 * No scheduler runs here, so pods stay unscheduled unless a test binds them.
 */
@QuarkusTest
@TestProfile(ReplicaSetControllerTest.WithReplicaSets.class)
@WithTestResource(EmbeddedPostgresResource.class)
class ReplicaSetControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    public static class WithReplicaSets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.replicaset.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "rs";
    }

    @Test
    void createsOwnedPodsFromTheTemplateAndCountsThemInStatus() {
        ReplicaSet set = client.apps().replicaSets().inNamespace(namespace).resource(replicaSet("web", 3)).create();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(3));
        for (Pod pod : owned(set)) {
            assertThat(pod.getMetadata().getName()).startsWith("web-");
            assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "front");
            OwnerReference owner = pod.getMetadata().getOwnerReferences().get(0);
            assertThat(owner.getKind()).isEqualTo("ReplicaSet");
            assertThat(owner.getController()).isTrue();
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27");
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            ReplicaSet current = get("web");
            assertThat(current.getStatus().getReplicas()).isEqualTo(3);
            assertThat(current.getStatus().getFullyLabeledReplicas()).isEqualTo(3);
            assertThat(current.getStatus().getReadyReplicas()).isZero();
            assertThat(current.getStatus().getObservedGeneration()).isEqualTo(current.getMetadata().getGeneration());
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulCreate"))
                .hasSize(3).allMatch(e -> e.getMessage().startsWith("Created pod: web-")
                        && e.getInvolvedObject().getKind().equals("ReplicaSet")
                        && e.getSource().getComponent().equals("replicaset-controller")));
    }

    @Test
    void scalingDownDeletesUnscheduledPodsBeforeScheduledOnes() {
        ReplicaSet set = client.apps().replicaSets().inNamespace(namespace).resource(replicaSet("api", 3)).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(3));
        List<Pod> pods = owned(set);
        // Two pods placed on a node (by hand: no scheduler here), one left unscheduled.
        for (Pod pod : pods.subList(0, 2)) {
            cluster.bind(pod.getMetadata().getName(), "node-a");
        }
        String unscheduled = pods.get(2).getMetadata().getName();

        client.apps().replicaSets().inNamespace(namespace).withName("api").scale(2);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(2)
                .noneMatch(p -> p.getMetadata().getName().equals(unscheduled)));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulDelete"))
                .extracting(Event::getMessage).containsExactly("Deleted pod: " + unscheduled));
    }

    @Test
    void replacesADeletedPod() {
        ReplicaSet set = client.apps().replicaSets().inNamespace(namespace).resource(replicaSet("db", 2)).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(2));
        String gone = owned(set).get(0).getMetadata().getName();

        client.pods().inNamespace(namespace).withName(gone).delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(2)
                .noneMatch(p -> p.getMetadata().getName().equals(gone)));
    }

    @Test
    void adoptsAMatchingOrphanAndReleasesAPodRelabelledAway() {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("orphan")
                .withLabels(Map.of("app", "cache", "tier", "front")).endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage("redis:7").endContainer().endSpec().build()).create();
        ReplicaSet set = client.apps().replicaSets().inNamespace(namespace).resource(replicaSet("cache", 2)).create();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(2)
                .anyMatch(p -> p.getMetadata().getName().equals("orphan")));
        assertThat(client.pods().inNamespace(namespace).list().getItems()).hasSize(2);

        client.pods().inNamespace(namespace).withName("orphan")
                .edit(p -> new PodBuilder(p).editMetadata().addToLabels("app", "elsewhere").endMetadata().build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(namespace).withName("orphan").get().getMetadata().getOwnerReferences())
                    .isEmpty();
            assertThat(owned(set)).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals("orphan"));
        });
    }

    @Test
    void readyPodsBecomeAvailableAfterMinReadySeconds() {
        ReplicaSet template = new ReplicaSetBuilder(replicaSet("slow", 2)).editSpec().withMinReadySeconds(2)
                .endSpec().build();
        ReplicaSet set = client.apps().replicaSets().inNamespace(namespace).resource(template).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(owned(set)).hasSize(2));

        for (Pod pod : owned(set)) {
            cluster.bind(pod.getMetadata().getName(), "node-a");
            cluster.markReady(pod.getMetadata().getName());
        }

        await().atMost(PATIENCE).untilAsserted(() -> {
            ReplicaSet current = get("slow");
            assertThat(current.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(current.getStatus().getAvailableReplicas()).isZero();
        });
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(get("slow").getStatus().getAvailableReplicas()).isEqualTo(2));
    }

    @Test
    void podsTheApiRefusesAreReportedInStatusAndEvents() {
        // The template is valid, but admission refuses each pod: no such PriorityClass.
        ReplicaSet bad = new ReplicaSetBuilder(replicaSet("bad", 5)).editSpec().editTemplate().editSpec()
                .withPriorityClassName("no-such-class").endSpec().endTemplate().endSpec().build();
        client.apps().replicaSets().inNamespace(namespace).resource(bad).create();

        await().atMost(PATIENCE).untilAsserted(() -> {
            ReplicaSet current = get("bad");
            assertThat(current.getStatus()).isNotNull();
            assertThat(current.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("ReplicaFailure");
                assertThat(c.getReason()).isEqualTo("FailedCreate");
                assertThat(c.getMessage()).contains("no PriorityClass with name no-such-class was found");
            });
        });
        assertThat(cluster.events("FailedCreate")).isNotEmpty().allMatch(e -> e.getType().equals("Warning")
                && e.getMessage().startsWith("Error creating: ")
                && e.getMessage().contains("no PriorityClass with name no-such-class was found"));
        assertThat(client.pods().inNamespace(namespace).list().getItems()).isEmpty();

        // Once the class exists, the same ReplicaSet gets its pods and the failure condition goes.
        client.resource(new io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder().withNewMetadata()
                .withName("no-such-class").endMetadata().withValue(10).build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(namespace).list().getItems()).hasSize(5);
            assertThat(get("bad").getStatus().getConditions()).isNullOrEmpty();
        });
    }

    private ReplicaSet replicaSet(String name, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).addToLabels("tier", "front")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("nginx:1.27").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    private ReplicaSet get(String name) {
        return client.apps().replicaSets().inNamespace(namespace).withName(name).get();
    }

    /** Active pods controlled by the ReplicaSet. */
    private List<Pod> owned(ReplicaSet set) {
        String uid = get(set.getMetadata().getName()).getMetadata().getUid();
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController())))
                .toList();
    }

}
