package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.qube.controller.statefulset.StatefulSets.REVISIONS;
import static io.qube.controller.statefulset.StatefulSets.pod;
import static io.qube.controller.statefulset.StatefulSets.running;
import static io.qube.controller.statefulset.StatefulSets.terminating;
import static io.qube.controller.statefulset.StatefulSets.web;
import static org.assertj.core.api.Assertions.assertThat;

/** A StatefulSet's status counts, and when the update revision becomes the current one. */
class StatefulStatusTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** replicas, ready, available, current, updated, then the current revision. */
    private static String counts(StatefulSet set, Pod... pods) {
        StatefulSetStatus s = StatefulStatus.of(set, List.of(pods), REVISIONS, NOW);
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getUpdateRevision()).isEqualTo("web-new");
        return List.of(s.getReplicas(), s.getReadyReplicas(), s.getAvailableReplicas(), s.getCurrentReplicas(),
                s.getUpdatedReplicas()) + " " + s.getCurrentRevision();
    }

    @Test
    void podsAreCountedByStateAndRevision() {
        StatefulSet set = web(3);
        assertThat(counts(set, running(set, 0, "web-old"), pod(set, 1, "web-new", "Running", false),
                terminating(running(set, 2, "web-old")))).isEqualTo("[3, 2, 2, 1, 1] web-old");
    }

    @Test
    void minReadySecondsKeepsAReadyPodUnavailable() {
        StatefulSet set = new StatefulSetBuilder(web(1)).editSpec().withMinReadySeconds(10).endSpec().build();
        Pod pod = running(set, 0, "web-new");
        pod.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(3).toString());
        // Ready is enough to complete the update (Kubernetes counts ready, not available, there).
        assertThat(counts(set, pod)).isEqualTo("[1, 1, 0, 1, 1] web-new");
    }

    @Test
    void aRollingUpdateIsCompleteWhenEveryPodIsUpdatedAndReady() {
        StatefulSet set = web(2);
        assertThat(counts(set, running(set, 0, "web-new"), pod(set, 1, "web-new", "Running", false)))
                .isEqualTo("[2, 1, 1, 0, 2] web-old");
        assertThat(counts(set, running(set, 0, "web-new"), running(set, 1, "web-new")))
                .isEqualTo("[2, 2, 2, 2, 2] web-new");
        StatefulSet onDelete = new StatefulSetBuilder(set).editSpec().withNewUpdateStrategy().withType("OnDelete")
                .endUpdateStrategy().endSpec().build();
        assertThat(counts(onDelete, running(set, 0, "web-new"), running(set, 1, "web-new")))
                .isEqualTo("[2, 2, 2, 0, 2] web-old");
    }
}
