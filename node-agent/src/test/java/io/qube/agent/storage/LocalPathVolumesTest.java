package io.qube.agent.storage;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which claims and volumes are a node's, and the volume the provisioner makes for a claim. */
class LocalPathVolumesTest {

    private static PersistentVolumeClaim claim(UnaryOperator<PersistentVolumeClaimBuilder> change) {
        return change.apply(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").withNamespace("apps").withUid("u-1").withResourceVersion("7")
                .addToAnnotations(LocalPathVolumes.STORAGE_PROVISIONER, "qube.io/local-path")
                .addToAnnotations(LocalPathVolumes.SELECTED_NODE, "node-a").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("local-path")
                .withNewResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec()).build();
    }

    private static PersistentVolume volume(UnaryOperator<PersistentVolumeBuilder> change) {
        PersistentVolume made = LocalPathVolumes.of(claim(c -> c), storageClass("Delete"), "node-a",
                Path.of("/state/volumes/pvc-u-1"));
        return change.apply(new PersistentVolumeBuilder(made).withNewStatus().withPhase("Released").endStatus())
                .build();
    }

    private static StorageClass storageClass(String reclaim) {
        return new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner("qube.io/local-path").withReclaimPolicy(reclaim).withMountOptions("noatime").build();
    }

    static Stream<Arguments> claims() {
        return Stream.of(
                Arguments.of("annotated for this node", claim(c -> c), true),
                Arguments.of("beta provisioner annotation", claim(c -> c.editMetadata()
                        .removeFromAnnotations(LocalPathVolumes.STORAGE_PROVISIONER)
                        .addToAnnotations(LocalPathVolumes.BETA_STORAGE_PROVISIONER, "qube.io/local-path")
                        .endMetadata()), true),
                Arguments.of("another node", claim(c -> c.editMetadata()
                        .addToAnnotations(LocalPathVolumes.SELECTED_NODE, "node-b").endMetadata()), false),
                Arguments.of("another provisioner", claim(c -> c.editMetadata()
                        .addToAnnotations(LocalPathVolumes.STORAGE_PROVISIONER, "example.com/nfs").endMetadata()),
                        false),
                Arguments.of("no node selected yet", claim(c -> c.editMetadata()
                        .removeFromAnnotations(LocalPathVolumes.SELECTED_NODE).endMetadata()), false),
                Arguments.of("bound already", claim(c -> c.editSpec().withVolumeName("pv-1").endSpec()), false),
                Arguments.of("being deleted", claim(c -> c.editMetadata()
                        .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()), false),
                Arguments.of("no annotations", claim(c -> c.editMetadata().withAnnotations(null).endMetadata()),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("claims")
    void aClaimIsProvisionedByTheNodeItSelected(String name, PersistentVolumeClaim claim, boolean wanted) {
        assertThat(LocalPathVolumes.wanted(claim, Set.of("node-a", "node-c"))).isEqualTo(wanted);
    }

    static Stream<Arguments> volumes() {
        return Stream.of(
                Arguments.of("released, delete, here", volume(v -> v), true),
                Arguments.of("bound", volume(v -> v.editStatus().withPhase("Bound").endStatus()), false),
                Arguments.of("retain", volume(v -> v.editSpec().withPersistentVolumeReclaimPolicy("Retain")
                        .endSpec()), false),
                Arguments.of("another node's", volume(v -> v.editSpec().editNodeAffinity().editRequired()
                        .editFirstNodeSelectorTerm().editFirstMatchExpression().withValues("node-b")
                        .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec()), false),
                Arguments.of("not provisioned here", volume(v -> v.editMetadata().withAnnotations(null)
                        .endMetadata()), false),
                Arguments.of("no status", volume(v -> v.withStatus(null)), false),
                Arguments.of("being deleted", volume(v -> v.editMetadata()
                        .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("volumes")
    void aReleasedVolumeIsDeletedByItsNode(String name, PersistentVolume volume, boolean reclaimable) {
        assertThat(LocalPathVolumes.reclaimable(volume, Set.of("node-a", "node-c"))).isEqualTo(reclaimable);
    }

    @Test
    void theVolumeHasTheClaimsSizeAndModesTheClassesPolicyAndThisNodesAffinity() {
        PersistentVolume volume = LocalPathVolumes.of(claim(c -> c), storageClass("Retain"), "node-a",
                Path.of("/state/volumes/pvc-u-1"));
        assertThat(volume.getMetadata().getName()).isEqualTo("pvc-u-1");
        assertThat(volume.getMetadata().getAnnotations())
                .containsEntry("pv.kubernetes.io/provisioned-by", "qube.io/local-path");
        var spec = volume.getSpec();
        assertThat(spec.getCapacity()).containsEntry("storage", new Quantity("2Gi"));
        assertThat(spec.getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(spec.getVolumeMode()).isEqualTo("Filesystem");
        assertThat(spec.getPersistentVolumeReclaimPolicy()).isEqualTo("Retain");
        assertThat(spec.getMountOptions()).containsExactly("noatime");
        assertThat(spec.getStorageClassName()).isEqualTo("local-path");
        assertThat(spec.getClaimRef().getNamespace()).isEqualTo("apps");
        assertThat(spec.getClaimRef().getName()).isEqualTo("data");
        assertThat(spec.getClaimRef().getUid()).isEqualTo("u-1");
        assertThat(spec.getLocal().getPath()).isEqualTo("/state/volumes/pvc-u-1");
        assertThat(LocalPathVolumes.nodeOf(volume)).isEqualTo("node-a");
        assertThat(spec.getNodeAffinity().getRequired().getNodeSelectorTerms()).hasSize(1);
    }

    @Test
    void aClaimWithoutSizeForABlockDeviceOrWithASelectorIsRefused() {
        StorageClass storageClass = storageClass("Delete");
        assertThatThrownBy(() -> LocalPathVolumes.of(claim(c -> c.editSpec().withNewResources().endResources()
                .endSpec()), storageClass, "node-a", Path.of("/v"))).hasMessageContaining("no storage size");
        assertThatThrownBy(() -> LocalPathVolumes.of(claim(c -> c.editSpec().withVolumeMode("Block").endSpec()),
                storageClass, "node-a", Path.of("/v"))).hasMessageContaining("not volumeMode Block");
        assertThatThrownBy(() -> LocalPathVolumes.of(claim(c -> c.editSpec().withNewSelector()
                .addToMatchLabels("tier", "fast").endSelector().endSpec()), storageClass, "node-a", Path.of("/v")))
                .hasMessage("claim Selector is not supported");
    }
}
