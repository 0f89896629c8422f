package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How far a rolling update scales old ReplicaSets down, case by case. */
class RollingUpdateTest {

    @ParameterizedTest(name = "replicas {0}, available {1}, budget {2}: remove {3}")
    @CsvSource({
            // every pod available: nothing unhealthy to remove
            "4, 4, 2, 0",
            // unavailable pods go, within the budget
            "4, 1, 2, 2",
            "4, 3, 2, 1",
            "3, 0, 5, 3",
            // no budget left
            "4, 1, 0, 0",
            // status not yet caught up with a scale-down from 4 to 3: none unavailable, never a scale back up
            "3, 4, 1, 0",
            "0, 2, 1, 0",
    })
    void removesOnlyUnavailableReplicasWithinTheBudget(int replicas, int available, int budget, int removed) {
        assertThat(RollingUpdate.unhealthyToRemove(set("old", replicas, available), budget)).isEqualTo(removed);
    }

    @ParameterizedTest(name = "old {0}/{1} available, new {2}/{3}, at least {4}: scale down {5}")
    @CsvSource({
            // 4 replicas, maxUnavailable 1: one pod above the minimum may go
            "4, 4, 0, 0, 3, 1",
            "3, 3, 2, 1, 3, 1",
            // at the minimum: nothing
            "2, 2, 2, 1, 3, 0",
            "1, 1, 2, 1, 3, 0",
            // the old set's status still counts the pod it was scaled down from 4 to 3: only 3 count (was 2 to go)
            "3, 4, 2, 1, 3, 1",
            // scaled down to none, status not caught up
            "0, 3, 4, 4, 3, 1",
    })
    void scalesDownOnlyAvailabilityItHasWithinReplicas(int oldReplicas, int oldAvailable, int newReplicas,
                                                        int newAvailable, int minAvailable, int scaleDown) {
        List<ReplicaSet> all = List.of(set("old", oldReplicas, oldAvailable), set("new", newReplicas, newAvailable));

        assertThat(RollingUpdate.availableAboveMinimum(all, minAvailable)).isEqualTo(scaleDown);
    }

    private static ReplicaSet set(String name, int replicas, int available) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec()
                .withNewStatus().withReplicas(Math.max(replicas, available)).withAvailableReplicas(available)
                .endStatus().build();
    }
}
