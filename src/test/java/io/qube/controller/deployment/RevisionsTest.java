package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Templates compared and hashed as Kubernetes compares Go structs, and revisions read from annotations. */
class RevisionsTest {

    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void zeroValuesAndTheHashLabelDoNotMakeATemplateDifferent() {
        PodTemplateSpec plain = template("nginx:1.27");
        // What a body kubectl sent as protobuf holds: every zero value written out.
        PodTemplateSpec explicit = new PodTemplateSpecBuilder(plain).editMetadata().withGenerateName("")
                .withNamespace("").endMetadata().editSpec().withHostNetwork(false).withNodeName("")
                .editFirstContainer().withStdin(false).withWorkingDir("").endContainer().endSpec().build();
        PodTemplateSpec hashed = Revisions.withHash(plain, "abc123");

        assertThat(Revisions.sameTemplate(plain, explicit)).isTrue();
        assertThat(Revisions.sameTemplate(plain, hashed)).isTrue();
        assertThat(Revisions.hash(plain, null)).isEqualTo(Revisions.hash(explicit, null))
                .isEqualTo(Revisions.hash(hashed, null)).matches("[bcdfghjklmnpqrstvwxz2456789]+");
    }

    @Test
    void realChangesMakeADifferentTemplateAndHash() {
        PodTemplateSpec plain = template("nginx:1.27");
        PodTemplateSpec otherImage = template("nginx:1.28");
        PodTemplateSpec hostNetwork = new PodTemplateSpecBuilder(plain).editSpec().withHostNetwork(true).endSpec()
                .build();

        assertThat(Revisions.sameTemplate(plain, otherImage)).isFalse();
        assertThat(Revisions.sameTemplate(plain, hostNetwork)).isFalse();
        assertThat(Revisions.hash(plain, null)).isNotEqualTo(Revisions.hash(otherImage, null));
        // A collision count moves the hash, so a taken name is not taken again.
        assertThat(Revisions.hash(plain, 1)).isNotEqualTo(Revisions.hash(plain, null));
    }

    @Test
    void theNewReplicaSetIsTheOneWithTheTemplateAndRevisionsComeFromAnnotations() {
        ReplicaSet old = replicaSet("web-1", "nginx:1.27", "1");
        ReplicaSet current = replicaSet("web-2", "nginx:1.28", "2");
        Deployment deployment = new DeploymentBuilder().withNewSpec()
                .withTemplate(template("nginx:1.28")).endSpec().build();

        assertThat(Revisions.newReplicaSet(deployment, List.of(old, current))).isSameAs(current);
        assertThat(Revisions.maxRevision(List.of(old, current))).isEqualTo(2);
        assertThat(Revisions.revision(replicaSet("x", "i", "not a number"))).isZero();
    }

    private static ReplicaSet replicaSet(String name, String image, String revision) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withCreationTimestamp("2026-12-05T10:00:00Z")
                .addToAnnotations(Revisions.REVISION, revision).endMetadata().withNewSpec()
                .withTemplate(Revisions.withHash(template(image), name)).endSpec().build();
    }
}
