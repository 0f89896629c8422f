package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static io.qube.controller.statefulset.StatefulSets.running;
import static io.qube.controller.statefulset.StatefulSets.web;
import static org.assertj.core.api.Assertions.assertThat;

/** A StatefulSet's claims: names, labels, the pod's volumes, and owners per retention policy. */
class StatefulClaimsTest {

    @Test
    void aClaimIsNamedAfterTemplateSetAndOrdinalAndCarriesTheSelectorLabels() {
        StatefulSet set = web(2);
        PersistentVolumeClaim claim = StatefulClaims.newClaim(StatefulClaims.templates(set).get(0), set, 1);

        assertThat(claim.getMetadata().getName()).isEqualTo("data-web-1");
        assertThat(claim.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(claim.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("tier", "db", "app", "web"));
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    }

    @Test
    void thePodHasItsIdentityAndAVolumePerClaimTemplate() {
        StatefulSet set = web(2);
        set.getSpec().getTemplate().getSpec().getVolumes().add(new VolumeBuilder()
                .withName("data").withNewEmptyDir().endEmptyDir().build());
        Pod pod = StatefulPods.newPod(set, set.getSpec().getTemplate(), 1, "web-abc");

        assertThat(pod.getMetadata().getName()).isEqualTo("web-1");
        assertThat(pod.getSpec().getHostname()).isEqualTo("web-1");
        assertThat(pod.getSpec().getSubdomain()).isEqualTo("nginx");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry("statefulset.kubernetes.io/pod-name", "web-1")
                .containsEntry("apps.kubernetes.io/pod-index", "1")
                .containsEntry("controller-revision-hash", "web-abc");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .matches(owner -> owner.getController() && owner.getUid().equals("set-uid"));
        // The claim's volume replaces the template's volume of the same name.
        assertThat(pod.getSpec().getVolumes()).singleElement()
                .matches(volume -> volume.getPersistentVolumeClaim().getClaimName().equals("data-web-1"));
        assertThat(StatefulPods.identityMatches(set, pod)).isTrue();
        assertThat(StatefulPods.storageMatches(set, pod)).isTrue();
        assertThat(StatefulPods.ordinal(set, pod)).isEqualTo(1);
    }

    /** Which owners a claim ends with, from none, for a pod in range (ordinal 0) or scaled away (ordinal 3). */
    @ParameterizedTest
    @CsvSource({
            "Retain, Retain, 0, ''",
            "Retain, Retain, 3, ''",
            "Delete, Retain, 0, StatefulSet",
            "Delete, Retain, 3, StatefulSet",
            "Retain, Delete, 0, ''",
            "Retain, Delete, 3, Pod",
            "Delete, Delete, 0, StatefulSet",
            "Delete, Delete, 3, Pod",
    })
    void ownersFollowTheRetentionPolicy(String whenDeleted, String whenScaled, int ordinal, String owners) {
        StatefulSet set = new StatefulSetBuilder(web(2)).editSpec().withNewPersistentVolumeClaimRetentionPolicy()
                .withWhenDeleted(whenDeleted).withWhenScaled(whenScaled).endPersistentVolumeClaimRetentionPolicy()
                .endSpec().build();
        Pod pod = running(set, ordinal, "web-abc");
        PersistentVolumeClaim claim = StatefulClaims.newClaim(StatefulClaims.templates(set).get(0), set, ordinal);

        List<OwnerReference> changed = StatefulClaims.retentionOwners(claim, set, pod);
        List<OwnerReference> result = changed == null ? List.of() : changed;

        assertThat(String.join(",", result.stream().map(OwnerReference::getKind).toList())).isEqualTo(owners);
        claim.getMetadata().setOwnerReferences(result);
        assertThat(StatefulClaims.retentionOwners(claim, set, pod)).as("settled").isNull();
        // Back to Retain/Retain: every owner the policy put there goes.
        StatefulSet retaining = new StatefulSetBuilder(set).editSpec().withPersistentVolumeClaimRetentionPolicy(null)
                .endSpec().build();
        List<OwnerReference> released = StatefulClaims.retentionOwners(claim, retaining, pod);
        assertThat(released == null ? result : released).isEmpty();
    }
}
