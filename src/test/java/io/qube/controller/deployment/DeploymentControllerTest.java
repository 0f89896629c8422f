package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Deployment controller against the real API, with the ReplicaSet controller making the pods, held to
 * kube-controller-manager's behaviour: one ReplicaSet per pod template, named and labelled by its pod-template-hash
 * and annotated with its revision; a RollingUpdate that stays within maxSurge and maxUnavailable; a Recreate that
 * lets no old pod outlive the arrival of a new one; old ReplicaSets pruned to revisionHistoryLimit; a paused
 * Deployment that scales but does not roll out; a rollback that reuses the old ReplicaSet under a new revision;
 * scaling through the scale subresource; and status, conditions and ScalingReplicaSet events.
 * No scheduler or node agent runs here: the tests play both (bind pods, mark them Ready, finish deleted pods).
 */
@QuarkusTest
@TestProfile(DeploymentControllerTest.WithDeployments.class)
@WithTestResource(EmbeddedPostgresResource.class)
class DeploymentControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String NAME = "web";
    private static final String HASH = "pod-template-hash";
    private static final String REVISION = "deployment.kubernetes.io/revision";

    public static class WithDeployments implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.replicaset.enabled", "true",
                    "qube.controllers.deployment.enabled", "true");
        }
    }

    /** One poll of a rollout: the Deployment's pods not being deleted, and how many of them are Ready. */
    private record Observation(int pods, int ready) {
    }

    @Override
    protected String namespacePrefix() {
        return "deploy";
    }

    @Test
    void createsOneHashedReplicaSetAndReportsTheRolloutInStatusAndEvents() {
        create(deployment(3));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets()).hasSize(1));
        ReplicaSet set = replicaSets().get(0);
        String name = set.getMetadata().getName();
        assertThat(name).startsWith(NAME + "-");
        String hash = name.substring(NAME.length() + 1);
        assertThat(hash).isNotEmpty();
        OwnerReference owner = controller(set);
        assertThat(owner).isNotNull();
        assertThat(owner.getKind()).isEqualTo("Deployment");
        assertThat(owner.getName()).isEqualTo(NAME);
        assertThat(owner.getUid()).isEqualTo(current().getMetadata().getUid());
        assertThat(set.getSpec().getSelector().getMatchLabels()).containsEntry("app", NAME).containsEntry(HASH, hash);
        assertThat(set.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", NAME)
                .containsEntry(HASH, hash);
        assertThat(set.getMetadata().getAnnotations()).containsEntry(REVISION, "1")
                .containsEntry("deployment.kubernetes.io/desired-replicas", "3")
                .containsEntry("deployment.kubernetes.io/max-replicas", "4");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(current().getMetadata().getAnnotations())
                .containsEntry(REVISION, "1"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(pods()).hasSize(3)
                .allMatch(p -> controlledBy(p, set) && hash.equals(p.getMetadata().getLabels().get(HASH))));

        rollOut();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Deployment deployment = current();
            assertThat(deployment.getStatus().getReplicas()).isEqualTo(3);
            assertThat(deployment.getStatus().getUpdatedReplicas()).isEqualTo(3);
            assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(3);
            assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(3);
            assertThat(deployment.getStatus().getObservedGeneration())
                    .isEqualTo(deployment.getMetadata().getGeneration());
            assertThat(deployment.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Available");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("MinimumReplicasAvailable");
                assertThat(c.getMessage()).isEqualTo("Deployment has minimum availability.");
            }).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Progressing");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
                assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + name + "\" has successfully progressed.");
            });
        });
        assertThat(replicaSets()).hasSize(1);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("ScalingReplicaSet"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getMessage()).isEqualTo("Scaled up replica set " + name + " from 0 to 3");
                    assertThat(e.getType()).isEqualTo("Normal");
                    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Deployment");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo(NAME);
                    assertThat(e.getSource().getComponent()).isEqualTo("deployment-controller");
                }));
    }

    @Test
    void rollingUpdateStaysWithinMaxSurgeAndMaxUnavailable() {
        create(new DeploymentBuilder(deployment(4)).editSpec().withNewStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0))
                .endRollingUpdate().endStrategy().endSpec().build());
        rollOut();
        ReplicaSet first = replicaSets().get(0);

        setImage("nginx:1.28");

        // Pods become Ready one per poll, so that every step of the rollout is seen.
        List<Observation> observations = new ArrayList<>();
        await().atMost(PATIENCE).until(() -> {
            List<Pod> pods = pods();
            List<Pod> running = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(p -> controller(p) != null && "ReplicaSet".equals(controller(p).getKind())).toList();
            observations.add(new Observation(running.size(), (int) running.stream().filter(DeploymentControllerTest::isReady).count()));
            playNodes(pods, 1);
            return complete(current());
        });

        assertThat(observations).allSatisfy(o -> {
            assertThat(o.pods()).as("pods (replicas + maxSurge)").isLessThanOrEqualTo(5);
            assertThat(o.ready()).as("ready pods (replicas - maxUnavailable)").isGreaterThanOrEqualTo(4);
        });
        // maxUnavailable 0 leaves no other way forward than a surge pod.
        assertThat(observations).anySatisfy(o -> assertThat(o.pods()).isEqualTo(5));
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<ReplicaSet> sets = replicaSets();
            assertThat(sets).hasSize(2);
            assertThat(sets.get(0).getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
            assertThat(sets.get(0).getSpec().getReplicas()).isZero();
            assertThat(sets.get(1).getMetadata().getAnnotations()).containsEntry(REVISION, "2");
            assertThat(sets.get(1).getSpec().getReplicas()).isEqualTo(4);
            assertThat(image(sets.get(1))).isEqualTo("nginx:1.28");
            Deployment deployment = current();
            assertThat(deployment.getMetadata().getAnnotations()).containsEntry(REVISION, "2");
            assertThat(deployment.getStatus().getUpdatedReplicas()).isEqualTo(4);
        });
    }

    @Test
    void aRolloutThatMakesNoProgressExceedsItsDeadline() {
        // No pod here ever becomes Ready unless a test plays the nodes: the rollout stalls.
        create(new DeploymentBuilder(deployment(2)).editSpec().withProgressDeadlineSeconds(2).endSpec().build());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(current().getStatus().getConditions())
                .filteredOn(c -> c.getType().equals("Progressing")).singleElement().satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
                    assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + replicaSets().get(0).getMetadata()
                            .getName() + "\" has timed out progressing.");
                }));
    }

    @Test
    void recreateRemovesEveryOldPodBeforeAnyNewOne() {
        create(new DeploymentBuilder(deployment(2)).editSpec().withNewStrategy().withType("Recreate").endStrategy()
                .endSpec().build());
        rollOut();
        ReplicaSet old = replicaSets().get(0);

        setImage("nginx:1.28");

        List<Boolean> coexisted = new ArrayList<>();
        // The old ReplicaSet goes to zero; its pods, on a node, are left terminating for their grace period.
        await().atMost(PATIENCE).until(() -> {
            List<Pod> pods = pods();
            coexisted.add(mixed(pods, old));
            return replicaSets().get(0).getSpec().getReplicas() == 0 && !pods.isEmpty()
                    && pods.stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() != null);
        });
        // While they terminate, Kubernetes does not even create the new ReplicaSet.
        await().during(Duration.ofSeconds(3)).atMost(PATIENCE).untilAsserted(() -> {
            List<Pod> pods = pods();
            coexisted.add(mixed(pods, old));
            assertThat(pods).hasSize(2).allMatch(p -> controlledBy(p, old));
            assertThat(replicaSets()).hasSize(1);
        });
        // The node agent finishes them; only then do the new pods come.
        await().atMost(PATIENCE).until(() -> {
            List<Pod> pods = pods();
            coexisted.add(mixed(pods, old));
            playNodes(pods, Integer.MAX_VALUE);
            return complete(current());
        });

        assertThat(coexisted).isNotEmpty().doesNotContain(true);
        List<ReplicaSet> sets = replicaSets();
        assertThat(sets).hasSize(2);
        assertThat(sets.get(0).getSpec().getReplicas()).isZero();
        assertThat(sets.get(1).getSpec().getReplicas()).isEqualTo(2);
        assertThat(sets.get(1).getMetadata().getAnnotations()).containsEntry(REVISION, "2");
        assertThat(pods()).hasSize(2).allMatch(p -> controlledBy(p, sets.get(1)));
    }

    @Test
    void keepsOnlyRevisionHistoryLimitOldReplicaSets() {
        create(new DeploymentBuilder(deployment(1)).editSpec().withRevisionHistoryLimit(1).endSpec().build());
        rollOut();
        for (String image : List.of("nginx:1.28", "nginx:1.29", "nginx:1.30")) {
            setImage(image);
            rollOut();
        }

        await().atMost(PATIENCE).untilAsserted(() -> {
            playNodes(pods(), Integer.MAX_VALUE);
            List<ReplicaSet> sets = replicaSets();
            assertThat(sets).hasSize(2);
            assertThat(sets.get(0).getMetadata().getAnnotations()).containsEntry(REVISION, "3");
            assertThat(image(sets.get(0))).isEqualTo("nginx:1.29");
            assertThat(sets.get(0).getSpec().getReplicas()).isZero();
            assertThat(sets.get(1).getMetadata().getAnnotations()).containsEntry(REVISION, "4");
            assertThat(image(sets.get(1))).isEqualTo("nginx:1.30");
            assertThat(sets.get(1).getSpec().getReplicas()).isEqualTo(1);
        });
    }

    @Test
    void aPausedDeploymentScalesButDoesNotRollOutUntilResumed() {
        create(deployment(2));
        rollOut();
        ReplicaSet first = replicaSets().get(0);

        edit(d -> new DeploymentBuilder(d).editSpec().withPaused(true).endSpec().build());
        setImage("nginx:1.28");

        await().during(Duration.ofSeconds(3)).atMost(PATIENCE).untilAsserted(() ->
                assertThat(replicaSets()).hasSize(1));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(current().getStatus().getConditions())
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Progressing");
                    assertThat(c.getStatus()).isEqualTo("Unknown");
                    assertThat(c.getReason()).isEqualTo("DeploymentPaused");
                    assertThat(c.getMessage()).isEqualTo("Deployment is paused");
                }));

        client.apps().deployments().inNamespace(namespace).withName(NAME).scale(5);
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<ReplicaSet> sets = replicaSets();
            assertThat(sets).hasSize(1);
            assertThat(sets.get(0).getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
            assertThat(sets.get(0).getSpec().getReplicas()).isEqualTo(5);
            assertThat(image(sets.get(0))).isEqualTo("nginx:1.27");
        });

        edit(d -> new DeploymentBuilder(d).editSpec().withPaused(false).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(replicaSets()).hasSize(2)
                .last().satisfies(set -> {
                    assertThat(image(set)).isEqualTo("nginx:1.28");
                    assertThat(set.getMetadata().getAnnotations()).containsEntry(REVISION, "2");
                }));
        Deployment done = rollOut();
        assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(5);
        assertThat(replicaSets().get(1).getSpec().getReplicas()).isEqualTo(5);
    }

    @Test
    void rollingBackReusesTheOldReplicaSetUnderANewRevision() {
        create(deployment(2));
        rollOut();
        ReplicaSet first = replicaSets().get(0);
        setImage("nginx:1.28");
        rollOut();
        assertThat(current().getMetadata().getAnnotations()).containsEntry(REVISION, "2");

        // What kubectl rollout undo does: revision 1's template, without its hash label, back into the Deployment.
        PodTemplateSpec previous = new PodTemplateSpecBuilder(first.getSpec().getTemplate()).editMetadata()
                .removeFromLabels(HASH).endMetadata().build();
        edit(d -> new DeploymentBuilder(d).editSpec().withTemplate(previous).endSpec().build());
        Deployment done = rollOut();

        assertThat(done.getMetadata().getAnnotations()).containsEntry(REVISION, "3");
        List<ReplicaSet> sets = replicaSets();
        assertThat(sets).hasSize(2);
        ReplicaSet reused = sets.get(1);
        assertThat(reused.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
        assertThat(reused.getMetadata().getAnnotations()).containsEntry(REVISION, "3")
                .containsEntry("deployment.kubernetes.io/revision-history", "1");
        assertThat(reused.getSpec().getReplicas()).isEqualTo(2);
        assertThat(image(reused)).isEqualTo("nginx:1.27");
        assertThat(sets.get(0).getSpec().getReplicas()).isZero();
    }

    @Test
    void scalingThroughTheScaleSubresourceScalesTheReplicaSet() {
        create(deployment(3));
        rollOut();
        String set = replicaSets().get(0).getMetadata().getName();

        client.apps().deployments().inNamespace(namespace).withName(NAME).scale(1);

        await().atMost(PATIENCE).untilAsserted(() -> {
            List<ReplicaSet> sets = replicaSets();
            assertThat(sets).hasSize(1);
            assertThat(sets.get(0).getSpec().getReplicas()).isEqualTo(1);
            assertThat(sets.get(0).getMetadata().getAnnotations())
                    .containsEntry("deployment.kubernetes.io/desired-replicas", "1");
            assertThat(cluster.events("ScalingReplicaSet")).extracting(Event::getMessage)
                    .contains("Scaled down replica set " + set + " from 3 to 1");
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            playNodes(pods(), Integer.MAX_VALUE);
            assertThat(pods()).hasSize(1);
            assertThat(current().getStatus().getReplicas()).isEqualTo(1);
        });
    }

    /** Replicas of nginx:1.27 labelled app=web, selected by app=web. */
    private static Deployment deployment(int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName(NAME).endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", NAME).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", NAME).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("nginx:1.27").endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    private void create(Deployment deployment) {
        client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    }

    private Deployment current() {
        return client.apps().deployments().inNamespace(namespace).withName(NAME).get();
    }

    /**
     * fabric8's edit pins the version it read, and the controller writes the Deployment too (its revision
     * annotation): on a conflict, read again and retry, as client-go's RetryOnConflict does.
     */
    private void edit(UnaryOperator<Deployment> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.apps().deployments().inNamespace(namespace).withName(NAME).edit(change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** A new pod template, as {@code kubectl set image} makes one. */
    private void setImage(String image) {
        edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec().editFirstContainer()
                .withImage(image).endContainer().endSpec().endTemplate().endSpec().build());
    }

    /** Plays the nodes until the Deployment's rollout is complete (Kubernetes' DeploymentComplete). */
    private Deployment rollOut() {
        await().atMost(PATIENCE).until(() -> {
            playNodes(pods(), Integer.MAX_VALUE);
            return complete(current());
        });
        return current();
    }

    private static boolean complete(Deployment deployment) {
        int replicas = deployment.getSpec().getReplicas();
        return deployment.getStatus() != null && deployment.getStatus().getObservedGeneration() != null
                && deployment.getStatus().getObservedGeneration() >= deployment.getMetadata().getGeneration()
                && replicas == orZero(deployment.getStatus().getUpdatedReplicas())
                && replicas == orZero(deployment.getStatus().getReplicas())
                && replicas == orZero(deployment.getStatus().getAvailableReplicas());
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /** The ReplicaSets the Deployment controls, oldest revision first. */
    private List<ReplicaSet> replicaSets() {
        String uid = current().getMetadata().getUid();
        return client.apps().replicaSets().inNamespace(namespace).list().getItems().stream()
                .filter(set -> controller(set) != null && uid.equals(controller(set).getUid()))
                .sorted(Comparator.comparingLong(DeploymentControllerTest::revision))
                .toList();
    }

    private static long revision(ReplicaSet set) {
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        return annotations == null ? 0 : Long.parseLong(annotations.getOrDefault(REVISION, "0"));
    }

    /** Every pod of the namespace, those being deleted included (one list: one consistent snapshot). */
    private List<Pod> pods() {
        return client.pods().inNamespace(namespace).list().getItems();
    }

    /** Whether pods of {@code old} and pods of another ReplicaSet exist side by side. */
    private static boolean mixed(List<Pod> pods, ReplicaSet old) {
        return pods.stream().anyMatch(p -> controlledBy(p, old))
                && pods.stream().anyMatch(p -> controller(p) != null && "ReplicaSet".equals(controller(p).getKind())
                && !controlledBy(p, old));
    }

    private static OwnerReference controller(HasMetadata object) {
        return object.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
    }

    private static boolean controlledBy(Pod pod, ReplicaSet set) {
        return controller(pod) != null && set.getMetadata().getUid().equals(controller(pod).getUid());
    }

    private static String image(ReplicaSet set) {
        return set.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /**
     * Plays scheduler and node agent for one snapshot of pods: finishes pods being deleted (the agent's final
     * delete once the containers stop), binds unscheduled pods to a node, and marks up to {@code readyAtOnce}
     * not-ready pods Running and Ready. A pod gone since the snapshot is skipped.
     */
    private void playNodes(List<Pod> snapshot, int readyAtOnce) {
        int readied = 0;
        for (Pod pod : snapshot) {
            String name = pod.getMetadata().getName();
            try {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
                    continue;
                }
                if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
                    cluster.bind(name, "node-a");
                }
                if (!isReady(pod) && readied < readyAtOnce) {
                    cluster.markReady(name);
                    readied++;
                }
            } catch (KubernetesClientException e) {
                // Deleted or changed since the snapshot: the next poll sees it as it is.
            }
        }
    }

    private static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

}
