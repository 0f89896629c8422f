package io.qube.controller.history;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A revision's data as kubectl rollout undo applies it, and matching it against a workload's template. */
class TemplateRevisionsTest {

    private final PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "d")
            .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox:1.36").endContainer()
            .withTerminationGracePeriodSeconds(30L).endSpec().build();

    @Test
    void dataReplacesTheWholeTemplate() {
        assertThat(TemplateRevisions.data(template).toString()).isEqualTo("{\"spec\":{\"template\":{\"metadata\":"
                + "{\"labels\":{\"app\":\"d\"}},\"spec\":{\"containers\":[{\"image\":\"busybox:1.36\",\"name\":\"c\"}],"
                + "\"terminationGracePeriodSeconds\":30},\"$patch\":\"replace\"}}}");
    }

    @Test
    void aRevisionReadBackMatchesItsTemplateAndNoOtherAndGivesItBack() {
        // As the informer reads it: through JSON, with numbers as ints and Go's zero values spelled out.
        String stored = TemplateRevisions.data(template).toString()
                .replace("\"name\":\"c\"", "\"name\":\"c\",\"tty\":false");
        ControllerRevision revision = Serialization.unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":"
                + "\"ControllerRevision\",\"metadata\":{\"name\":\"r\"},\"revision\":1,\"data\":" + stored + "}",
                ControllerRevision.class);
        PodTemplateSpec changed = new PodTemplateSpecBuilder(template).editSpec().editContainer(0)
                .withImage("busybox:1.37").endContainer().endSpec().build();

        assertThat(TemplateRevisions.matches(template, revision)).isTrue();
        assertThat(TemplateRevisions.matches(changed, revision)).isFalse();
        assertThat(TemplateRevisions.matches(template, new ControllerRevisionBuilder(revision).withData(Map.of())
                .build())).isFalse();
        assertThat(TemplateRevisions.template(revision).getSpec().getContainers().get(0).getImage())
                .isEqualTo("busybox:1.36");
        assertThat(TemplateRevisions.template(new ControllerRevisionBuilder(revision).withData(Map.of()).build()))
                .isNull();
    }

    @Test
    void theHashFollowsTheTemplateAndTheCollisionCount() {
        PodTemplateSpec annotated = new PodTemplateSpecBuilder(template).editMetadata().addToAnnotations("note", "x")
                .endMetadata().build();

        assertThat(TemplateRevisions.hash(template, null)).matches("[bcdfghjklmnpqrstvwxz2456789]+")
                .isEqualTo(TemplateRevisions.hash(template, null))
                .isNotEqualTo(TemplateRevisions.hash(template, 1))
                .isNotEqualTo(TemplateRevisions.hash(annotated, null));
    }
}
