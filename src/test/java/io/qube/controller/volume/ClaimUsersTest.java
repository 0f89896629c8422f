package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which pods hold a claim against deletion (the pvc-protection controller's question), and which claims a pod names. */
class ClaimUsersTest {

    static Stream<Arguments> users() {
        return Stream.of(
                Arguments.of("a running pod on a node naming the claim", pod(p -> p), true),
                Arguments.of("an unscheduled pod: the agent will not start it on a deleted claim",
                        pod(p -> p.editSpec().withNodeName(null).endSpec()), false),
                Arguments.of("a pending pod on a node", pod(p -> p.editStatus().withPhase("Pending").endStatus()), true),
                Arguments.of("a succeeded pod", pod(p -> p.editStatus().withPhase("Succeeded").endStatus()), false),
                Arguments.of("a failed pod", pod(p -> p.editStatus().withPhase("Failed").endStatus()), false),
                Arguments.of("a pod being deleted gracefully still has it mounted", pod(p -> p.editMetadata()
                        .withDeletionTimestamp("2026-01-01T00:00:00Z").withDeletionGracePeriodSeconds(30L)
                        .endMetadata()), true),
                Arguments.of("a force-deleted pod", pod(p -> p.editMetadata()
                        .withDeletionTimestamp("2026-01-01T00:00:00Z").withDeletionGracePeriodSeconds(0L)
                        .endMetadata()), false),
                Arguments.of("a pod naming another claim", pod(p -> p.editSpec().editFirstVolume()
                        .editPersistentVolumeClaim().withClaimName("other").endPersistentVolumeClaim().endVolume()
                        .endSpec()), false),
                Arguments.of("a pod of another namespace", pod(p -> p.editMetadata().withNamespace("elsewhere")
                        .endMetadata()), false),
                Arguments.of("the pod owning its ephemeral claim", ephemeralPod("pod-uid", "web", "data"), true),
                Arguments.of("an ephemeral volume of that name not owned by the pod",
                        ephemeralPod("another-uid", "web", "data"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("users")
    void holdsTheClaimWhileItMayHaveItMounted(String name, Pod pod, boolean holds) {
        PersistentVolumeClaim claim = pod.getSpec().getVolumes().get(0).getEphemeral() != null ? ephemeralClaim()
                : claim();

        assertThat(ClaimUsers.mayUse(pod, claim)).isEqualTo(holds);
    }

    @Test
    void namesTheClaimsOfEveryVolumeKind() {
        Pod pod = new PodBuilder(pod(p -> p)).editSpec().addNewVolume().withName("scratch").withNewEphemeral()
                .endEphemeral().endVolume().addNewVolume().withName("config").withNewConfigMap().withName("c")
                .endConfigMap().endVolume().endSpec().build();

        assertThat(ClaimUsers.claimNames(pod)).containsExactly("data", "app-scratch");
    }

    private static Pod pod(UnaryOperator<PodBuilder> edit) {
        return edit.apply(new PodBuilder().withNewMetadata().withName("app").withNamespace("ns").withUid("pod-uid")
                .endMetadata().withNewSpec().withNodeName("node-1").addNewVolume().withName("v")
                .withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim().endVolume()
                .endSpec().withNewStatus().withPhase("Running").endStatus()).build();
    }

    /** A running pod with a generic ephemeral volume, whose claim is {@code <pod>-<volume>}. */
    private static Pod ephemeralPod(String podUid, String podName, String volume) {
        return new PodBuilder().withNewMetadata().withName(podName).withNamespace("ns").withUid(podUid).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewVolume().withName(volume).withNewEphemeral()
                .endEphemeral().endVolume().endSpec().withNewStatus().withPhase("Running").endStatus().build();
    }

    private static PersistentVolumeClaim claim() {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("ns")
                .endMetadata().build();
    }

    private static PersistentVolumeClaim ephemeralClaim() {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("web-data").withNamespace("ns")
                .addNewOwnerReference().withKind("Pod").withName("web").withUid("pod-uid").withController(true)
                .endOwnerReference().endMetadata().build();
    }
}
