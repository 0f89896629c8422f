package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.qube.client.StorageNames;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The persistentvolume controller and the two protection controllers against the real API: static binding with
 * phases, annotations and events; pre-binding from either side; claims that cannot bind and say why; reclaiming by
 * Retain, Delete and Recycle; the pvc-protection and pv-protection finalizers; a Lost claim; the expansion of a
 * local-path claim; WaitForFirstConsumer and the external-provisioner protocol, with the test in the provisioner's
 * place. Each test's static volumes carry a storage class named after its namespace, so tests never take one
 * another's volumes.
 */
@QuarkusTest
@TestProfile(PersistentVolumeControllerTest.WithVolumeControllers.class)
@WithTestResource(EmbeddedPostgresResource.class)
class PersistentVolumeControllerTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String TEST_LABEL = "pv-test";

    public static class WithVolumeControllers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("qube.controllers.persistentvolume-binder.enabled", "true",
                    "qube.controllers.pvc-protection.enabled", "true",
                    "qube.controllers.pv-protection.enabled", "true");
        }
    }

    @Override
    protected String namespacePrefix() {
        return "pv";
    }

    /** The test's volumes and classes go (volumes are cluster-wide): finalizers off first, so none is kept. */
    @AfterEach
    void deleteTheTestsVolumes() {
        for (PersistentVolume volume : client.persistentVolumes().withLabel(TEST_LABEL, namespace).list().getItems()) {
            client.persistentVolumes().withName(volume.getMetadata().getName())
                    .edit(v -> new PersistentVolumeBuilder(v).editMetadata().withFinalizers().endMetadata().build());
            client.persistentVolumes().withName(volume.getMetadata().getName()).delete();
        }
        client.storage().v1().storageClasses().withLabel(TEST_LABEL, namespace).delete();
        client.nodes().withName("pv-node-" + namespace).delete();
    }

    @Test
    void bindsTheSmallestFittingVolumeAndSetsPhasesAndAnnotations() {
        volume("big", "5Gi", v -> v);
        volume("small", "2Gi", v -> v);
        volume("tiny", "500Mi", v -> v);

        claim("data", "1Gi", c -> c);

        PersistentVolumeClaim bound = awaitClaimPhase("data", "Bound");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(name("small"));
        assertThat(bound.getMetadata().getAnnotations()).containsEntry(StorageNames.BIND_COMPLETED, "yes")
                .containsEntry(StorageNames.BOUND_BY_CONTROLLER, "yes");
        assertThat(bound.getStatus().getCapacity()).containsEntry("storage", new Quantity("2Gi"));
        assertThat(bound.getStatus().getAccessModes()).containsExactly("ReadWriteOnce");
        PersistentVolume small = awaitVolumePhase("small", "Bound");
        assertThat(small.getSpec().getClaimRef().getName()).isEqualTo("data");
        assertThat(small.getSpec().getClaimRef().getNamespace()).isEqualTo(namespace);
        assertThat(small.getSpec().getClaimRef().getUid()).isEqualTo(bound.getMetadata().getUid());
        assertThat(small.getMetadata().getAnnotations()).containsEntry(StorageNames.BOUND_BY_CONTROLLER, "yes");
        assertThat(awaitVolumePhase("big", "Available").getSpec().getClaimRef()).isNull();
        assertThat(awaitVolumePhase("tiny", "Available").getSpec().getClaimRef()).isNull();
    }

    @Test
    void aVolumePreBoundToAClaimIsTheOneItGets() {
        volume("other", "1Gi", v -> v);
        volume("reserved", "8Gi", v -> v.editSpec().withNewClaimRef().withNamespace(namespace).withName("data")
                .endClaimRef().endSpec());

        claim("data", "1Gi", c -> c);

        PersistentVolumeClaim bound = awaitClaimPhase("data", "Bound");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(name("reserved"));
        assertThat(bound.getStatus().getCapacity()).containsEntry("storage", new Quantity("8Gi"));
        PersistentVolume reserved = awaitVolumePhase("reserved", "Bound");
        assertThat(reserved.getSpec().getClaimRef().getUid()).isEqualTo(bound.getMetadata().getUid());
        // The user chose this volume: it does not say the controller did.
        assertThat(reserved.getMetadata().getAnnotations()).doesNotContainKey(StorageNames.BOUND_BY_CONTROLLER);
        assertThat(awaitVolumePhase("other", "Available").getSpec().getClaimRef()).isNull();
    }

    @Test
    void aClaimNamingAVolumeGetsItOrSaysWhyNot() {
        volume("named", "3Gi", v -> v);
        volume("too-small", "1Gi", v -> v);

        claim("data", "2Gi", c -> c.editSpec().withVolumeName(name("named")).endSpec());
        claim("greedy", "2Gi", c -> c.editSpec().withVolumeName(name("too-small")).endSpec());

        PersistentVolumeClaim bound = awaitClaimPhase("data", "Bound");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(name("named"));
        // The user chose the volume: the claim does not say the controller did; the volume's side was the controller's.
        assertThat(bound.getMetadata().getAnnotations()).containsEntry(StorageNames.BIND_COMPLETED, "yes")
                .doesNotContainKey(StorageNames.BOUND_BY_CONTROLLER);
        assertThat(awaitVolumePhase("named", "Bound").getMetadata().getAnnotations())
                .containsEntry(StorageNames.BOUND_BY_CONTROLLER, "yes");
        Event mismatch = awaitEvent("greedy", "VolumeMismatch");
        assertThat(mismatch.getType()).isEqualTo("Warning");
        assertThat(mismatch.getMessage()).isEqualTo("Cannot bind to requested volume \"" + name("too-small")
                + "\": requested PV is too small");
        assertThat(awaitClaimPhase("greedy", "Pending").getSpec().getVolumeName()).isEqualTo(name("too-small"));
        assertThat(awaitVolumePhase("too-small", "Available").getSpec().getClaimRef()).isNull();
    }

    @Test
    void aClaimThatCannotBindSaysWhyAsKubernetesDoes() {
        claim("classless", "900Ti", c -> c.editSpec().withStorageClassName("").endSpec());
        claim("unknown-class", "1Gi", c -> c.editSpec().withStorageClassName("missing-" + namespace).endSpec());

        Event noClass = awaitEvent("classless", "FailedBinding");
        assertThat(noClass.getType()).isEqualTo("Normal");
        assertThat(noClass.getMessage())
                .isEqualTo("no persistent volumes available for this claim and no storage class is set");
        assertThat(noClass.getSource().getComponent()).isEqualTo("persistentvolume-controller");
        assertThat(awaitClaimPhase("classless", "Pending").getSpec().getVolumeName()).isNull();
        Event noSuchClass = awaitEvent("unknown-class", "ProvisioningFailed");
        assertThat(noSuchClass.getType()).isEqualTo("Warning");
        assertThat(noSuchClass.getMessage())
                .isEqualTo("storageclass.storage.k8s.io \"missing-" + namespace + "\" not found");
    }

    @Test
    void aRetainedVolumeIsReleasedWhenItsClaimGoes() {
        volume("kept", "1Gi", v -> v.editSpec().withPersistentVolumeReclaimPolicy("Retain").endSpec());
        claim("data", "1Gi", c -> c);
        awaitClaimPhase("data", "Bound");

        client.persistentVolumeClaims().inNamespace(namespace).withName("data").delete();

        await().atMost(PATIENCE).until(() -> claimOrNull("data") == null);
        PersistentVolume released = awaitVolumePhase("kept", "Released");
        assertThat(released.getSpec().getClaimRef().getName()).isEqualTo("data");
        // A new claim of the same name is another claim: it does not get the released volume.
        claim("data", "1Gi", c -> c);
        awaitEvent("data", "ProvisioningFailed");
        assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(volume("kept").getStatus().getPhase()).isEqualTo("Released");
    }

    @Test
    void deleteFailsWithoutADeleterButIsLeftToTheLocalPathProvisioner() {
        volume("plain", "1Gi", v -> v.editSpec().withPersistentVolumeReclaimPolicy("Delete").endSpec());
        volume("provisioned", "1Gi", v -> v.editMetadata()
                .addToAnnotations(StorageNames.PROVISIONED_BY, StorageNames.LOCAL_PATH).endMetadata().editSpec()
                .withPersistentVolumeReclaimPolicy("Delete").withNewClaimRef().withNamespace(namespace)
                .withName("local").endClaimRef().endSpec());
        volume("recycled", "1Gi", v -> v.editSpec().withPersistentVolumeReclaimPolicy("Recycle").endSpec());
        claim("plain", "1Gi", c -> c.editSpec().withVolumeName(name("plain")).endSpec());
        claim("local", "1Gi", c -> c);
        claim("recycled", "1Gi", c -> c.editSpec().withVolumeName(name("recycled")).endSpec());
        for (String claim : List.of("plain", "local", "recycled")) {
            awaitClaimPhase(claim, "Bound");
            client.persistentVolumeClaims().inNamespace(namespace).withName(claim).delete();
        }

        PersistentVolume failed = awaitVolumePhase("plain", "Failed");
        String deleteMessage = "error getting deleter volume plugin for volume \"" + name("plain")
                + "\": no deletable volume plugin matched";
        assertThat(failed.getStatus().getMessage()).isEqualTo(deleteMessage);
        Event failedDelete = awaitVolumeEvent("plain", "VolumeFailedDelete");
        assertThat(failedDelete.getType()).isEqualTo("Warning");
        assertThat(failedDelete.getMessage()).isEqualTo(deleteMessage);
        assertThat(awaitVolumePhase("recycled", "Failed").getStatus().getMessage())
                .startsWith("No recycler plugin found for the volume!");
        awaitVolumeEvent("recycled", "VolumeFailedRecycle");
        // The local-path volume waits, Released, for its provisioner (the node agent) to delete it.
        awaitVolumePhase("provisioned", "Released");
        assertThat(volumeEvents("provisioned")).isEmpty();
    }

    @Test
    void aClaimInUseByAPodKeepsItsFinalizerUntilThePodFinishes() {
        cluster.createNode("pv-node-" + namespace, null);
        volume("used", "1Gi", v -> v);
        volume("unused", "1Gi", v -> v);
        claim("used", "1Gi", c -> c.editSpec().withVolumeName(name("used")).endSpec());
        claim("unused", "1Gi", c -> c.editSpec().withVolumeName(name("unused")).endSpec());
        awaitClaimPhase("used", "Bound");
        awaitClaimPhase("unused", "Bound");
        assertThat(claim("used").getMetadata().getFinalizers()).contains(StorageNames.PVC_PROTECTION);
        client.pods().inNamespace(namespace).resource(podUsing("app", "used")).create();
        cluster.bind("app", "pv-node-" + namespace);
        cluster.markReady("app");

        client.persistentVolumeClaims().inNamespace(namespace).withName("used").delete();
        client.persistentVolumeClaims().inNamespace(namespace).withName("unused").delete();

        // The unused claim going shows that the controller has looked; the used one is still there.
        await().atMost(PATIENCE).until(() -> claimOrNull("unused") == null);
        PersistentVolumeClaim kept = claim("used");
        assertThat(kept.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(kept.getMetadata().getFinalizers()).containsExactly(StorageNames.PVC_PROTECTION);
        assertThat(volume("used").getStatus().getPhase()).isEqualTo("Bound");

        client.pods().inNamespace(namespace).withName("app").editStatus(p -> new PodBuilder(p).editStatus()
                .withPhase("Succeeded").endStatus().build());

        await().atMost(PATIENCE).until(() -> claimOrNull("used") == null);
        awaitVolumePhase("used", "Released");
    }

    @Test
    void aBoundVolumeOutlivesItsDeletionUntilItsClaimLetsGo() {
        volume("bound", "1Gi", v -> v);
        volume("free", "1Gi", v -> v.editSpec().withStorageClassName("unclaimed-" + namespace).endSpec());
        claim("data", "1Gi", c -> c);
        awaitClaimPhase("data", "Bound");
        assertThat(volume("bound").getMetadata().getFinalizers()).contains(StorageNames.PV_PROTECTION);

        client.persistentVolumes().withName(name("bound")).delete();
        client.persistentVolumes().withName(name("free")).delete();

        await().atMost(PATIENCE).until(() -> volumeOrNull("free") == null);
        PersistentVolume kept = volume("bound");
        assertThat(kept.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(kept.getStatus().getPhase()).isEqualTo("Bound");

        client.persistentVolumeClaims().inNamespace(namespace).withName("data").delete();

        await().atMost(PATIENCE).until(() -> volumeOrNull("bound") == null);
    }

    @Test
    void aClaimWhoseVolumeVanishedIsLost() {
        volume("doomed", "1Gi", v -> v);
        claim("data", "1Gi", c -> c);
        awaitClaimPhase("data", "Bound");

        client.persistentVolumes().withName(name("doomed")).delete();
        client.persistentVolumes().withName(name("doomed"))
                .edit(v -> new PersistentVolumeBuilder(v).editMetadata().withFinalizers().endMetadata().build());

        PersistentVolumeClaim lost = awaitClaimPhase("data", "Lost");
        assertThat(lost.getStatus().getCapacity()).isNullOrEmpty();
        assertThat(lost.getStatus().getAccessModes()).isNullOrEmpty();
        Event event = awaitEvent("data", "ClaimLost");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getMessage()).isEqualTo("Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }

    @Test
    void anImmediateClaimOfAProvisionerIsAnnotatedThenBoundToTheVolumeItMadeAndGrows() {
        storageClass("Immediate", true);
        claim("data", "1Gi", c -> c.editSpec().withStorageClassName(namespace).endSpec());

        Event asked = awaitEvent("data", "ExternalProvisioning");
        assertThat(asked.getMessage()).isEqualTo("Waiting for a volume to be created either by the external "
                + "provisioner 'qube.io/local-path' or manually by the system administrator. If volume creation is "
                + "delayed, please verify that the provisioner is running and correctly registered.");
        PersistentVolumeClaim waiting = claim("data");
        assertThat(waiting.getMetadata().getAnnotations())
                .containsEntry(StorageNames.STORAGE_PROVISIONER, StorageNames.LOCAL_PATH)
                .containsEntry(StorageNames.BETA_STORAGE_PROVISIONER, StorageNames.LOCAL_PATH);
        assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");

        provisionAsTheAgentWould(waiting);

        PersistentVolumeClaim bound = awaitClaimPhase("data", "Bound");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo("pvc-" + bound.getMetadata().getUid());
        assertThat(bound.getStatus().getCapacity()).containsEntry("storage", new Quantity("1Gi"));

        client.persistentVolumeClaims().inNamespace(namespace).withName("data").edit(c -> new PersistentVolumeClaimBuilder(c)
                .editSpec().editResources().addToRequests("storage", new Quantity("3Gi")).endResources().endSpec()
                .build());

        await().atMost(PATIENCE).untilAsserted(() -> {
            PersistentVolumeClaim grown = claim("data");
            assertThat(grown.getStatus().getCapacity()).containsEntry("storage", new Quantity("3Gi"));
            assertThat(grown.getStatus().getAllocatedResources()).containsEntry("storage", new Quantity("3Gi"));
        });
        assertThat(client.persistentVolumes().withName("pvc-" + bound.getMetadata().getUid()).get().getSpec()
                .getCapacity()).containsEntry("storage", new Quantity("3Gi"));
        assertThat(awaitEvent("data", "VolumeResizeSuccessful").getMessage()).isEqualTo("Resize volume succeeded");
    }

    @Test
    void aVolumeThatIsNotLocalPathWaitsForAnExternalResizer() {
        storageClass("Immediate", true);
        volume("static", "1Gi", v -> v);
        claim("data", "1Gi", c -> c);
        awaitClaimPhase("data", "Bound");

        client.persistentVolumeClaims().inNamespace(namespace).withName("data").edit(c -> new PersistentVolumeClaimBuilder(c)
                .editSpec().editResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec()
                .build());

        assertThat(awaitEvent("data", "ExternalExpanding").getMessage())
                .isEqualTo("waiting for an external controller to expand this PVC");
        assertThat(claim("data").getStatus().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
        assertThat(volume("static").getSpec().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
    }

    @Test
    void aVolumeReservedForAClaimThatBoundElsewhereIsFreedOrReleased() {
        volume("chosen", "1Gi", v -> v);
        claim("data", "1Gi", c -> c.editSpec().withVolumeName(name("chosen")).endSpec());
        String uid = awaitClaimPhase("data", "Bound").getMetadata().getUid();

        // A user's reservation keeps the claim's name and loses only its uid; a provisioned one is released.
        volume("user-reserved", "1Gi", v -> v.editSpec().withNewClaimRef().withNamespace(namespace).withName("data")
                .withUid(uid).endClaimRef().endSpec());
        volume("provisioned", "1Gi", v -> v.editMetadata()
                .addToAnnotations(StorageNames.PROVISIONED_BY, StorageNames.LOCAL_PATH).endMetadata().editSpec()
                .withPersistentVolumeReclaimPolicy("Delete").withNewClaimRef().withNamespace(namespace)
                .withName("data").withUid(uid).endClaimRef().endSpec());

        await().atMost(PATIENCE).untilAsserted(() -> {
            PersistentVolume reserved = volume("user-reserved");
            assertThat(reserved.getStatus().getPhase()).isEqualTo("Available");
            assertThat(reserved.getSpec().getClaimRef().getName()).isEqualTo("data");
            assertThat(reserved.getSpec().getClaimRef().getUid()).isNull();
        });
        awaitVolumePhase("provisioned", "Released");
        assertThat(volume("chosen").getStatus().getPhase()).isEqualTo("Bound");
    }

    @Test
    void aWaitForFirstConsumerClaimWaitsForTheSchedulersNodeThenAsksTheProvisioner() {
        storageClass("WaitForFirstConsumer", false);
        claim("data", "1Gi", c -> c.editSpec().withStorageClassName(namespace).endSpec());

        Event waiting = awaitEvent("data", "WaitForFirstConsumer");
        assertThat(waiting.getType()).isEqualTo("Normal");
        assertThat(waiting.getMessage()).isEqualTo("waiting for first consumer to be created before binding");
        assertThat(claim("data").getMetadata().getAnnotations()).doesNotContainKey(StorageNames.STORAGE_PROVISIONER);
        assertThat(cluster.events("ExternalProvisioning")).isEmpty();

        // What the scheduler's VolumeBinding plugin writes once it has chosen a node for the claim's pod.
        client.persistentVolumeClaims().inNamespace(namespace).withName("data").edit(c -> new PersistentVolumeClaimBuilder(c)
                .editMetadata().addToAnnotations(StorageNames.SELECTED_NODE, "node-1").endMetadata().build());

        awaitEvent("data", "ExternalProvisioning");
        PersistentVolumeClaim asked = claim("data");
        assertThat(asked.getMetadata().getAnnotations())
                .containsEntry(StorageNames.STORAGE_PROVISIONER, StorageNames.LOCAL_PATH)
                .containsEntry(StorageNames.BETA_STORAGE_PROVISIONER, StorageNames.LOCAL_PATH);

        provisionAsTheAgentWould(asked);

        assertThat(awaitClaimPhase("data", "Bound").getSpec().getVolumeName())
                .isEqualTo("pvc-" + asked.getMetadata().getUid());
        awaitVolumePhaseNamed("pvc-" + asked.getMetadata().getUid(), "Bound");
    }

    @Test
    void aWaitForFirstConsumerClaimNamesThePodsWaitingToBeScheduled() {
        storageClass("WaitForFirstConsumer", false);
        client.pods().inNamespace(namespace).resource(podUsing("web-0", "data")).create();

        claim("data", "1Gi", c -> c.editSpec().withStorageClassName(namespace).endSpec());

        assertThat(awaitEvent("data", "WaitForPodScheduled").getMessage())
                .isEqualTo("waiting for pod web-0 to be scheduled");
    }

    @Test
    void aClaimMadeWhileNoClassWasTheDefaultGetsOneLater() {
        markDefault("local-path", "false"); // an administrator's change, which the apiserver leaves as it is
        try {
            claim("late", "1Gi", c -> c.editSpec().withStorageClassName(null).endSpec());
            assertThat(claim("late").getSpec().getStorageClassName()).isNull();
            awaitEvent("late", "FailedBinding");

            storageClass("Immediate", false);
            markDefault(namespace, "true");

            await().atMost(PATIENCE).until(() -> namespace.equals(claim("late").getSpec().getStorageClassName()));
            awaitEvent("late", "ExternalProvisioning");
        } finally {
            markDefault("local-path", "true");
        }
    }

    private void markDefault(String storageClass, String isDefault) {
        await().atMost(PATIENCE).until(() -> client.storage().v1().storageClasses().withName(storageClass).get(),
                Objects::nonNull);
        client.storage().v1().storageClasses().withName(storageClass).edit(c -> new StorageClassBuilder(c)
                .editMetadata().addToAnnotations("storageclass.kubernetes.io/is-default-class", isDefault)
                .endMetadata().build());
    }

    /** The local-path provisioner's part of the protocol: the PV pvc-<uid>, pre-bound to the claim. */
    private void provisionAsTheAgentWould(PersistentVolumeClaim claim) {
        client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata()
                .withName("pvc-" + claim.getMetadata().getUid()).addToLabels(TEST_LABEL, namespace)
                .addToAnnotations(StorageNames.PROVISIONED_BY, StorageNames.LOCAL_PATH).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", claim.getSpec().getResources().getRequests().get("storage"))
                .withStorageClassName(namespace).withPersistentVolumeReclaimPolicy("Delete")
                .withNewClaimRef().withNamespace(namespace).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).endClaimRef()
                .withNewHostPath().withPath("/var/lib/qube/volumes/pvc-" + claim.getMetadata().getUid())
                .endHostPath().endSpec().build()).create();
    }

    private void storageClass(String bindingMode, boolean expandable) {
        client.storage().v1().storageClasses().resource(new StorageClassBuilder().withNewMetadata()
                .withName(namespace).addToLabels(TEST_LABEL, namespace).endMetadata()
                .withProvisioner(StorageNames.LOCAL_PATH).withReclaimPolicy("Delete")
                .withVolumeBindingMode(bindingMode).withAllowVolumeExpansion(expandable).build()).create();
    }

    /** A volume named after the test's namespace, of the test's class (the namespace's name). */
    private void volume(String name, String size, UnaryOperator<PersistentVolumeBuilder> edit) {
        client.persistentVolumes().resource(edit.apply(new PersistentVolumeBuilder().withNewMetadata()
                .withName(name(name)).addToLabels(TEST_LABEL, namespace).endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").addToCapacity("storage", new Quantity(size))
                .withStorageClassName(namespace).withNewHostPath().withPath("/tmp/" + name(name)).endHostPath()
                .endSpec()).build()).create();
    }

    /** A claim of the test's class (the namespace's name), unless the edit says otherwise. */
    private void claim(String name, String size, UnaryOperator<PersistentVolumeClaimBuilder> edit) {
        client.persistentVolumeClaims().inNamespace(namespace).resource(edit.apply(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(name).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withStorageClassName(namespace).withNewResources().addToRequests("storage", new Quantity(size))
                .endResources().endSpec()).build()).create();
    }

    private Pod podUsing(String name, String claim) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim)
                .endPersistentVolumeClaim().endVolume().endSpec().build();
    }

    private String name(String volume) {
        return namespace + "-" + volume;
    }

    private PersistentVolumeClaim claim(String name) {
        PersistentVolumeClaim claim = claimOrNull(name);
        assertThat(claim).as("claim " + name).isNotNull();
        return claim;
    }

    private PersistentVolumeClaim claimOrNull(String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
    }

    private PersistentVolume volume(String name) {
        PersistentVolume volume = volumeOrNull(name);
        assertThat(volume).as("volume " + name).isNotNull();
        return volume;
    }

    private PersistentVolume volumeOrNull(String name) {
        return client.persistentVolumes().withName(name(name)).get();
    }

    private PersistentVolumeClaim awaitClaimPhase(String name, String phase) {
        return await().atMost(PATIENCE).until(() -> claimOrNull(name),
                claim -> claim != null && claim.getStatus() != null && phase.equals(claim.getStatus().getPhase()));
    }

    private PersistentVolume awaitVolumePhase(String name, String phase) {
        return awaitVolumePhaseNamed(name(name), phase);
    }

    private PersistentVolume awaitVolumePhaseNamed(String fullName, String phase) {
        return await().atMost(PATIENCE).until(() -> client.persistentVolumes().withName(fullName).get(),
                volume -> volume != null && volume.getStatus() != null
                        && phase.equals(volume.getStatus().getPhase()));
    }

    /** The first event with this reason about the claim. */
    private Event awaitEvent(String claim, String reason) {
        return await().atMost(PATIENCE).until(() -> cluster.events(reason).stream()
                        .filter(e -> e.getInvolvedObject().getName().equals(claim)
                                && e.getInvolvedObject().getKind().equals("PersistentVolumeClaim")).toList(),
                events -> !events.isEmpty()).get(0);
    }

    /** Events about a (cluster-wide) volume are kept in "default", as Kubernetes keeps them. */
    private List<Event> volumeEvents(String volume) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name(volume))).toList();
    }

    private Event awaitVolumeEvent(String volume, String reason) {
        return await().atMost(PATIENCE).until(() -> volumeEvents(volume).stream()
                .filter(e -> reason.equals(e.getReason())).toList(), events -> !events.isEmpty()).get(0);
    }
}
