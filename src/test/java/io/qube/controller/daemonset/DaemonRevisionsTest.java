package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A revision's data as kubectl rollout undo applies it, and matching it against the DaemonSet's template. */
class DaemonRevisionsTest {

    private final DaemonSet set = DaemonNodesTest.daemonSet(new PodSpecBuilder().addNewContainer().withName("c")
            .withImage("busybox:1.36").endContainer().withTerminationGracePeriodSeconds(30L).build());

    @Test
    void dataReplacesTheWholeTemplate() {
        assertThat(DaemonRevisions.data(set).toString()).isEqualTo("{\"spec\":{\"template\":{\"metadata\":{\"labels\""
                + ":{\"app\":\"d\"}},\"spec\":{\"containers\":[{\"image\":\"busybox:1.36\",\"name\":\"c\"}],"
                + "\"terminationGracePeriodSeconds\":30},\"$patch\":\"replace\"}}}");
    }

    @Test
    void aRevisionReadBackMatchesItsTemplateAndNoOther() {
        // As the informer reads it: through JSON, with numbers as ints and Go's zero values spelled out.
        String stored = DaemonRevisions.data(set).toString().replace("\"name\":\"c\"", "\"name\":\"c\",\"tty\":false");
        ControllerRevision revision = Serialization.unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":"
                + "\"ControllerRevision\",\"metadata\":{\"name\":\"r\"},\"revision\":1,\"data\":" + stored + "}",
                ControllerRevision.class);
        DaemonSet changed = new DaemonSetBuilder(set).editSpec().editTemplate().editSpec().editContainer(0)
                .withImage("busybox:1.37").endContainer().endSpec().endTemplate().endSpec().build();

        assertThat(DaemonRevisions.matches(set, revision)).isTrue();
        assertThat(DaemonRevisions.matches(changed, revision)).isFalse();
        assertThat(DaemonRevisions.matches(set, new ControllerRevisionBuilder(revision).withData(Map.of()).build()))
                .isFalse();
    }

    @Test
    void theHashFollowsTheTemplateAndTheCollisionCount() {
        DaemonSet collided = new DaemonSetBuilder(set).withNewStatus().withCollisionCount(1).endStatus().build();
        DaemonSet relabelled = new DaemonSetBuilder(set).editMetadata().addToAnnotations("note", "x").endMetadata()
                .build();

        assertThat(DaemonRevisions.hash(set)).matches("[bcdfghjklmnpqrstvwxz2456789]+")
                .isEqualTo(DaemonRevisions.hash(relabelled)).isNotEqualTo(DaemonRevisions.hash(collided));
    }
}
