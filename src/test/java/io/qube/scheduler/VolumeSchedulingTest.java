package io.qube.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler's volume binding against the real API, with two Node objects (no agent) and the test doing what the
 * PV controller and a provisioner would: a claim to provision gets selected-node for the node its pod is then bound
 * to; a bound volume's node affinity decides the node; a static volume is pre-bound; an unbound Immediate claim
 * keeps the pod Pending until it is bound; a provisioner that never answers gives the node back.
 */
@QuarkusTest
@TestProfile(VolumeSchedulingTest.WithScheduler.class)
@WithTestResource(EmbeddedPostgresResource.class)
class VolumeSchedulingTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NODE_A = "vol-a";
    private static final String NODE_B = "vol-b";

    public static class WithScheduler implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Long enough for the test to play provisioner, short enough to watch a binding give up.
            return Map.of("qube.scheduler.enabled", "true", "qube.scheduler.volume-bind-timeout", "8s");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "vol";
    }

    @BeforeEach
    void twoNodes() {
        for (String name : List.of(NODE_A, NODE_B)) {
            if (client.nodes().withName(name).get() == null) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                        .addToLabels("kubernetes.io/hostname", name).endMetadata()
                        .withNewStatus().addToAllocatable(Map.of("cpu", new Quantity("4"),
                                "memory", new Quantity("8Gi"), "pods", new Quantity("110"))).endStatus().build())
                        .create();
            }
        }
    }

    private void storageClass(String name, String provisioner, String mode) {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata().withName(name)
                .endMetadata().withProvisioner(provisioner).withVolumeBindingMode(mode).build()).create();
    }

    private PersistentVolumeClaim claim(String name, String storageClass) {
        return client.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec().withStorageClassName(storageClass)
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build()).create();
    }

    /** A volume of the class on the node, Available, or already claimed by the claim. */
    private PersistentVolume volume(String name, String storageClass, String node, PersistentVolumeClaim claimedBy) {
        PersistentVolumeBuilder volume = new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withStorageClassName(storageClass).withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", new Quantity("1Gi")).withNewLocal().withPath("/data/" + name).endLocal()
                .withNewNodeAffinity().withNewRequired().withNodeSelectorTerms(new NodeSelectorTermBuilder()
                        .addNewMatchExpression().withKey("kubernetes.io/hostname").withOperator("In").withValues(node)
                        .endMatchExpression().build()).endRequired().endNodeAffinity().endSpec();
        if (claimedBy != null) {
            volume.editSpec().withNewClaimRef().withKind("PersistentVolumeClaim").withNamespace(namespace)
                    .withName(claimedBy.getMetadata().getName()).withUid(claimedBy.getMetadata().getUid())
                    .endClaimRef().endSpec();
        }
        PersistentVolume created = client.persistentVolumes().resource(volume.build()).create();
        return client.persistentVolumes().withName(name).editStatus(pv -> new PersistentVolumeBuilder(pv)
                .editOrNewStatus().withPhase(claimedBy == null ? "Available" : "Bound").endStatus().build());
    }

    /** What the PV controller does last: the claim names its volume, bind-completed, phase Bound. */
    private void completeBinding(String claim, String volume) {
        client.persistentVolumeClaims().inNamespace(namespace).withName(claim).edit(pvc ->
                new PersistentVolumeClaimBuilder(pvc).editMetadata().addToAnnotations(StorageNames.BIND_COMPLETED, "yes").endMetadata()
                .editSpec().withVolumeName(volume).endSpec().build());
        client.persistentVolumeClaims().inNamespace(namespace).withName(claim).editStatus(pvc ->
                new PersistentVolumeClaimBuilder(pvc).editOrNewStatus().withPhase("Bound").endStatus().build());
    }

    private void pod(String name, String claim) {
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim)
                .endPersistentVolumeClaim().endVolume().endSpec().build()).create();
    }

    private String nodeOf(String pod) {
        return await().atMost(PATIENCE).until(() -> client.pods().inNamespace(namespace).withName(pod).get()
                .getSpec().getNodeName(), node -> node != null);
    }

    private String selectedNode(String claim) {
        var annotations = client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get().getMetadata()
                .getAnnotations();
        return annotations == null ? null : annotations.get(StorageNames.SELECTED_NODE);
    }

    private PodCondition scheduledCondition(String pod) {
        Pod current = client.pods().inNamespace(namespace).withName(pod).get();
        return current.getStatus() == null || current.getStatus().getConditions() == null ? null
                : current.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()))
                .findFirst().orElse(null);
    }

    private List<String> failedScheduling(String pod) {
        return cluster.events("FailedScheduling").stream().filter(e -> pod.equals(e.getInvolvedObject().getName()))
                .map(Event::getMessage).toList();
    }

    @Test
    void aClaimToProvisionGetsTheSelectedNodeAndThePodIsBoundThereOnceProvisioned() {
        storageClass("wffc-" + namespace, "test.qube.io/provisioner", "WaitForFirstConsumer");
        PersistentVolumeClaim data = claim("data", "wffc-" + namespace);
        pod("app", "data");

        String selected = await().atMost(PATIENCE).until(() -> selectedNode("data"), node -> node != null);
        assertThat(selected).isIn(NODE_A, NODE_B);
        // Still unbound: the pod waits in PreBind, not bound yet.
        assertThat(client.pods().inNamespace(namespace).withName("app").get().getSpec().getNodeName()).isNull();

        // The provisioner makes a volume on the selected node for the claim; the PV controller binds them.
        volume("pvc-" + data.getMetadata().getUid(), "wffc-" + namespace, selected, data);
        completeBinding("data", "pvc-" + data.getMetadata().getUid());

        assertThat(nodeOf("app")).isEqualTo(selected);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(cluster.events("Scheduled"))
                .anyMatch(e -> e.getMessage().equals("Successfully assigned " + namespace + "/app to " + selected)));
    }

    @Test
    void podsUsingAVolumeWithNodeAffinityToNodeBAreNeverPlacedOnNodeA() {
        storageClass("bound-" + namespace, "kubernetes.io/no-provisioner", "Immediate");
        PersistentVolumeClaim data = claim("data", "bound-" + namespace);
        volume("bound-" + namespace, "bound-" + namespace, NODE_B, data);
        completeBinding("data", "bound-" + namespace);

        for (int i = 0; i < 4; i++) {
            pod("app-" + i, "data");
        }
        for (int i = 0; i < 4; i++) {
            assertThat(nodeOf("app-" + i)).isEqualTo(NODE_B);
        }
    }

    @Test
    void aStaticVolumeWithNodeAffinityIsChosenAndPreBound() {
        storageClass("static-" + namespace, "kubernetes.io/no-provisioner", "WaitForFirstConsumer");
        PersistentVolumeClaim data = claim("data", "static-" + namespace);
        volume("static-" + namespace, "static-" + namespace, NODE_A, null);
        pod("app", "data");

        PersistentVolume preBound = await().atMost(PATIENCE).until(() -> client.persistentVolumes()
                .withName("static-" + namespace).get(), pv -> pv.getSpec().getClaimRef() != null);
        assertThat(preBound.getSpec().getClaimRef().getName()).isEqualTo("data");
        assertThat(preBound.getSpec().getClaimRef().getNamespace()).isEqualTo(namespace);
        assertThat(preBound.getSpec().getClaimRef().getUid()).isEqualTo(data.getMetadata().getUid());
        assertThat(preBound.getMetadata().getAnnotations()).containsEntry(StorageNames.BOUND_BY_CONTROLLER, "yes");
        assertThat(selectedNode("data")).isNull();

        completeBinding("data", "static-" + namespace);
        assertThat(nodeOf("app")).isEqualTo(NODE_A);
    }

    @Test
    void anUnboundImmediateClaimKeepsThePodPendingUntilItIsBound() {
        storageClass("now-" + namespace, "kubernetes.io/no-provisioner", "Immediate");
        PersistentVolumeClaim data = claim("data", "now-" + namespace);
        pod("app", "data");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(failedScheduling("app")).anySatisfy(message ->
                assertThat(message).matches("0/(\\d+) nodes are available: pod has unbound immediate "
                        + "PersistentVolumeClaims\\. preemption: 0/\\1 nodes are available: \\1 Preemption is not "
                        + "helpful for scheduling\\.")));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scheduledCondition("app")).isNotNull().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("Unschedulable");
        }));
        assertThat(client.pods().inNamespace(namespace).withName("app").get().getSpec().getNodeName()).isNull();

        // The claim's update moves the pod back to be scheduled at once.
        volume("now-" + namespace, "now-" + namespace, NODE_B, data);
        completeBinding("data", "now-" + namespace);
        assertThat(nodeOf("app")).isEqualTo(NODE_B);
    }

    @Test
    void aProvisionerThatNeverAnswersGivesTheNodeBackAndThePodIsRetried() {
        storageClass("silent-" + namespace, "test.qube.io/silent", "WaitForFirstConsumer");
        claim("data", "silent-" + namespace);
        pod("app", "data");

        await().atMost(PATIENCE).until(() -> selectedNode("data") != null);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(failedScheduling("app")).contains(
                "running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the condition"));
        // The condition is written after the event.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scheduledCondition("app"))
                .isNotNull().satisfies(c -> assertThat(c.getReason()).isEqualTo("SchedulerError")));
        assertThat(client.pods().inNamespace(namespace).withName("app").get().getSpec().getNodeName()).isNull();
    }
}
