package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The StatefulSet controller against the real API: ordered and parallel creation, identities and claims, claims'
 * owners per retention policy, scale down highest ordinal first, replaced pods, RollingUpdate with a partition,
 * OnDelete, status and ControllerRevisions. No scheduler or node agent runs here: the test marks pods Running and
 * Ready as those would.
 */
@QuarkusTest
@TestProfile(StatefulSetControllerTest.WithStatefulSets.class)
@WithTestResource(EmbeddedPostgresResource.class)
class StatefulSetControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Holds a deleted pod in Terminating until the test lets it go. */
    private static final String HOLD = "qube.test/hold";

    public static class WithStatefulSets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.statefulset.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "sts";
    }

    @Test
    void orderedReadyCreatesEachPodWithItsIdentityAndClaimOnlyOnceThePreviousOneIsReady() {
        create(web(3));

        for (int ordinal = 0; ordinal < 3; ordinal++) {
            List<String> expected = names(ordinal + 1);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(podNames()).isEqualTo(expected));
            // The next one waits while this one is not ready.
            await().during(Duration.ofSeconds(1)).atMost(PATIENCE).untilAsserted(() -> assertThat(podNames())
                    .isEqualTo(expected));
            cluster.markReady("web-" + ordinal);
        }

        ControllerRevision revision = await().atMost(PATIENCE).until(this::revisions, r -> r.size() == 1).get(0);
        String name = revision.getMetadata().getName();
        assertThat(name).startsWith("web-");
        assertThat(revision.getRevision()).isEqualTo(1L);
        for (Pod pod : pods()) {
            String podName = pod.getMetadata().getName();
            assertThat(pod.getSpec().getHostname()).isEqualTo(podName);
            assertThat(pod.getSpec().getSubdomain()).isEqualTo("nginx");
            assertThat(pod.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", podName)
                    .containsEntry("apps.kubernetes.io/pod-index", podName.substring(4))
                    .containsEntry("controller-revision-hash", name).containsEntry("app", "web");
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                    .matches(owner -> owner.getKind().equals("StatefulSet") && owner.getController());
            assertThat(pod.getSpec().getVolumes()).anyMatch(v -> v.getName().equals("data")
                    && v.getPersistentVolumeClaim().getClaimName().equals("data-" + podName));
        }
        assertThat(claims()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
        assertThat(claims()).allSatisfy(claim -> {
            assertThat(claim.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "db");
            assertThat(claim.getMetadata().getOwnerReferences()).isNullOrEmpty();
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            StatefulSetStatus status = get().getStatus();
            assertThat(List.of(status.getReplicas(), status.getReadyReplicas(), status.getCurrentReplicas(),
                    status.getUpdatedReplicas(), status.getAvailableReplicas())).containsOnly(3);
            assertThat(status.getCurrentRevision()).isEqualTo(name);
            assertThat(status.getUpdateRevision()).isEqualTo(name);
            assertThat(status.getObservedGeneration()).isEqualTo(get().getMetadata().getGeneration());
            assertThat(status.getCollisionCount()).isZero();
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulCreate"))
                .extracting(Event::getMessage).contains(
                        "create Claim data-web-0 Pod web-0 in StatefulSet web success",
                        "create Pod web-0 in StatefulSet web successful",
                        "create Pod web-2 in StatefulSet web successful"));
    }

    @Test
    void parallelCreatesEveryPodAtOnceAndClaimsFollowTheRetentionPolicy() {
        create(new StatefulSetBuilder(web(3)).editSpec().withPodManagementPolicy("Parallel")
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Delete")
                .endPersistentVolumeClaimRetentionPolicy().endSpec().build());

        // None of them is ready, yet all are made.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(podNames()).isEqualTo(names(3)));
        String uid = get().getMetadata().getUid();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(claims()).hasSize(3).allSatisfy(claim ->
                assertThat(claim.getMetadata().getOwnerReferences()).singleElement()
                        .matches(owner -> owner.getKind().equals("StatefulSet") && owner.getUid().equals(uid))));
        String podUid = pod("web-2").getMetadata().getUid();

        scale(2);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(podNames()).isEqualTo(names(2)));
        // The scaled-away pod's claim now belongs to that pod, so that it goes with it.
        assertThat(claim("data-web-2").getMetadata().getOwnerReferences()).extracting(OwnerReference::getKind,
                OwnerReference::getUid).containsExactly(tuple("Pod", podUid));
        assertThat(claim("data-web-1").getMetadata().getOwnerReferences()).extracting(OwnerReference::getKind)
                .containsExactly("StatefulSet");
    }

    @Test
    void scaleDownDeletesTheHighestOrdinalFirstAndWaitsForItToGo() {
        create(new StatefulSetBuilder(web(3)).editSpec().editTemplate().editMetadata().addToFinalizers(HOLD)
                .endMetadata().endTemplate().endSpec().build());
        readyInTurn(3);

        scale(1);

        await().atMost(PATIENCE).until(() -> terminating("web-2"));
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> !terminating("web-1"));
        release("web-2");
        await().atMost(PATIENCE).until(() -> terminating("web-1"));
        assertThat(terminating("web-0")).isFalse();
        release("web-1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(podNames()).containsExactly("web-0"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("SuccessfulDelete"))
                .extracting(Event::getMessage).containsExactlyInAnyOrder(
                        "delete Pod web-2 in StatefulSet web successful",
                        "delete Pod web-1 in StatefulSet web successful"));
        release("web-0");
    }

    @Test
    void aDeletedOrFailedPodIsMadeAgainWithTheSameNameAndClaim() {
        create(web(2));
        readyInTurn(2);
        String deleted = pod("web-1").getMetadata().getUid();

        client.pods().inNamespace(namespace).withName("web-1").delete();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pod("web-1")).isNotNull()
                .matches(p -> !p.getMetadata().getUid().equals(deleted)));
        assertThat(pod("web-1").getSpec().getVolumes()).anyMatch(v -> v.getPersistentVolumeClaim() != null
                && v.getPersistentVolumeClaim().getClaimName().equals("data-web-1"));
        assertThat(claims()).hasSize(2);

        cluster.markReady("web-1");
        String failing = pod("web-0").getMetadata().getUid();
        client.pods().inNamespace(namespace).withName("web-0").editStatus(p -> new PodBuilder(p).editStatus()
                .withPhase("Failed").endStatus().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pod("web-0")).isNotNull()
                .matches(p -> !p.getMetadata().getUid().equals(failing)));
    }

    @Test
    void aRollingUpdateWithAPartitionUpdatesOnlyTheOrdinalsFromItUpHighestFirst() {
        create(new StatefulSetBuilder(web(3)).editSpec().withNewUpdateStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withPartition(1).endRollingUpdate().endUpdateStrategy().endSpec().build());
        readyInTurn(3);
        String first = get().getStatus().getCurrentRevision();

        setImage("nginx:1.28");

        // web-2 first, then web-1 once web-2 is back and ready; web-0 is below the partition.
        await().atMost(PATIENCE).until(() -> "nginx:1.28".equals(image("web-2")));
        assertThat(image("web-1")).isEqualTo("nginx:1.27");
        cluster.markReady("web-2");
        await().atMost(PATIENCE).until(() -> "nginx:1.28".equals(image("web-1")));
        cluster.markReady("web-1");
        await().atMost(PATIENCE).untilAsserted(() -> {
            StatefulSetStatus status = get().getStatus();
            assertThat(status.getUpdatedReplicas()).isEqualTo(2);
            assertThat(status.getCurrentReplicas()).isEqualTo(1);
            assertThat(status.getReadyReplicas()).isEqualTo(3);
            assertThat(status.getCurrentRevision()).isEqualTo(first);
            assertThat(status.getUpdateRevision()).isNotEqualTo(first);
        });
        await().during(Duration.ofSeconds(1)).atMost(PATIENCE).until(() -> "nginx:1.27".equals(image("web-0")));
        assertThat(revisions()).extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 2L);

        edit(s -> new StatefulSetBuilder(s).editSpec().editUpdateStrategy().editRollingUpdate().withPartition(0)
                .endRollingUpdate().endUpdateStrategy().endSpec().build());

        await().atMost(PATIENCE).until(() -> "nginx:1.28".equals(image("web-0")));
        cluster.markReady("web-0");
        await().atMost(PATIENCE).untilAsserted(() -> {
            StatefulSetStatus status = get().getStatus();
            assertThat(status.getCurrentRevision()).isEqualTo(status.getUpdateRevision());
            assertThat(status.getCurrentReplicas()).isEqualTo(3);
            assertThat(status.getUpdatedReplicas()).isEqualTo(3);
        });
    }

    @Test
    void onDeleteUpdatesOnlyThePodsDeletedAndHistoryIsPruned() {
        create(new StatefulSetBuilder(web(2)).editSpec().withRevisionHistoryLimit(1).withNewUpdateStrategy()
                .withType("OnDelete").endUpdateStrategy().endSpec().build());
        readyInTurn(2);

        for (String version : List.of("1.28", "1.29", "1.30")) {
            setImage("nginx:" + version);
            await().atMost(PATIENCE).until(() -> revisions().stream().anyMatch(r -> r.getRevision() > 1
                    && r.getData().toString().contains("nginx:" + version)));
        }
        await().atMost(PATIENCE).untilAsserted(() -> {
            StatefulSetStatus status = get().getStatus();
            assertThat(status.getObservedGeneration()).isEqualTo(get().getMetadata().getGeneration());
            assertThat(status.getUpdatedReplicas()).isZero();
            assertThat(status.getCurrentReplicas()).isEqualTo(2);
        });
        // Revision 1 stays (its pods run it), 3 goes (beyond the limit of 1 old one), 4 is the update revision.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(revisions())
                .extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 4L));
        assertThat(image("web-0")).isEqualTo("nginx:1.27");
        assertThat(image("web-1")).isEqualTo("nginx:1.27");

        client.pods().inNamespace(namespace).withName("web-1").delete();

        await().atMost(PATIENCE).until(() -> "nginx:1.30".equals(image("web-1")));
        assertThat(image("web-0")).isEqualTo("nginx:1.27");
        cluster.markReady("web-1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(get().getStatus().getUpdatedReplicas())
                .isEqualTo(1));
    }

    /** web: pods app=web with a claim template "data", governed by the Service "nginx". */
    static StatefulSet web(int replicas) {
        return new StatefulSetBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .withReplicas(replicas).withServiceName("nginx")
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                // Deleted at once: no node agent runs here to finish a graceful deletion.
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("nginx").withImage("nginx:1.27").endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").addToLabels("tier", "db")
                .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources()
                .endSpec().endVolumeClaimTemplate().endSpec().build();
    }

    private void create(StatefulSet set) {
        client.apps().statefulSets().inNamespace(namespace).resource(set).create();
    }

    /** Marks web-0, web-1, ... ready as each appears, as the nodes would run them. */
    private void readyInTurn(int replicas) {
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            String name = "web-" + ordinal;
            await().atMost(PATIENCE).until(() -> pod(name) != null);
            cluster.markReady(name);
        }
        await().atMost(PATIENCE).until(() -> get().getStatus() != null
                && get().getStatus().getReadyReplicas() != null && get().getStatus().getReadyReplicas() == replicas);
    }

    private static List<String> names(int count) {
        return IntStream.range(0, count).mapToObj(i -> "web-" + i).toList();
    }

    private void scale(int replicas) {
        edit(s -> new StatefulSetBuilder(s).editSpec().withReplicas(replicas).endSpec().build());
    }

    private void setImage(String image) {
        edit(s -> new StatefulSetBuilder(s).editSpec().editTemplate().editSpec().editContainer(0).withImage(image)
                .endContainer().endSpec().endTemplate().endSpec().build());
    }

    /** Tried again on a conflict: the controller writes the set's status meanwhile. */
    private void edit(UnaryOperator<StatefulSet> change) {
        await().atMost(PATIENCE).ignoreExceptionsInstanceOf(KubernetesClientException.class).until(() -> {
            client.apps().statefulSets().inNamespace(namespace).withName("web").edit(change);
            return true;
        });
    }

    private void release(String pod) {
        client.pods().inNamespace(namespace).withName(pod).edit(p -> new PodBuilder(p).editMetadata()
                .removeFromFinalizers(HOLD).endMetadata().build());
    }

    private boolean terminating(String name) {
        Pod pod = pod(name);
        return pod != null && pod.getMetadata().getDeletionTimestamp() != null;
    }

    private StatefulSet get() {
        return client.apps().statefulSets().inNamespace(namespace).withName("web").get();
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    private String image(String name) {
        Pod pod = pod(name);
        return pod == null || !ActivePods.isActive(pod) ? null : pod.getSpec().getContainers().get(0).getImage();
    }

    /** The namespace's pods not being deleted. */
    private List<Pod> pods() {
        return client.pods().inNamespace(namespace).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private List<String> podNames() {
        return pods().stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }

    private List<PersistentVolumeClaim> claims() {
        return client.persistentVolumeClaims().inNamespace(namespace).list().getItems();
    }

    private PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    private List<ControllerRevision> revisions() {
        return client.apps().controllerRevisions().inNamespace(namespace).list().getItems();
    }
}
