package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** backoffLimitPerIndex: failures counted per index across pods, and the indexes that fail for good. */
class IndexFailuresTest {

    private static final JobSpec SPEC = new JobSpecBuilder().withCompletionMode("Indexed").withCompletions(4)
            .withBackoffLimitPerIndex(1).build();

    @Test
    void eachIndexCountsItsOwnFailuresAndCarriesThemToItsNextPod() {
        IndexFailures failures = IndexFailures.of(SPEC, "", Set.of(), List.of(pod(0, "Failed", null),
                pod(2, "Failed", "1"), pod(3, "Running", "1")), pod -> null);

        // Index 0 failed once (within the limit of 1); index 2 failed a second time; index 3 runs after one failure.
        assertThat(failures.failed()).containsExactly(2);
        assertThat(failures.annotationsFor(0)).isEqualTo(Map.of(IndexFailures.FAILURE_COUNT, "1"));
        assertThat(failures.annotationsFor(1)).isEqualTo(Map.of(IndexFailures.FAILURE_COUNT, "0"));
        assertThat(failures.annotationsFor(3)).isEqualTo(Map.of(IndexFailures.FAILURE_COUNT, "1"));
    }

    @Test
    void ignoredFailuresAreCountedApartAndFailIndexFailsAtOnce() {
        PodFailureRules.Match ignore = new PodFailureRules.Match("Ignore", "ignored");
        PodFailureRules.Match failIndex = new PodFailureRules.Match("FailIndex", "failed");
        Pod ignored = pod(0, "Failed", "1");
        Pod failedAtOnce = pod(1, "Failed", null);

        IndexFailures failures = IndexFailures.of(SPEC, "", Set.of(), List.of(ignored, failedAtOnce),
                pod -> pod == ignored ? ignore : pod == failedAtOnce ? failIndex : null);

        assertThat(failures.failed()).containsExactly(1);
        assertThat(failures.annotationsFor(0)).isEqualTo(Map.of(IndexFailures.FAILURE_COUNT, "1",
                IndexFailures.IGNORED_FAILURE_COUNT, "1"));
    }

    @Test
    void recordedFailedIndexesStayAndSucceededIndexesNeverFail() {
        IndexFailures failures = IndexFailures.of(SPEC, "3", Set.of(0), List.of(pod(0, "Failed", "5")), pod -> null);

        assertThat(failures.failed()).containsExactly(3);
    }

    private static Pod pod(int index, String phase, String failuresBefore) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName("p-" + index)
                .addToAnnotations(JobPods.COMPLETION_INDEX, Integer.toString(index)).endMetadata()
                .withNewStatus().withPhase(phase).endStatus();
        if (failuresBefore != null) {
            pod.editMetadata().addToAnnotations(IndexFailures.FAILURE_COUNT, failuresBefore).endMetadata();
        }
        return pod.build();
    }
}
