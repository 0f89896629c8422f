package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** How many unavailable pods of an old ReplicaSet a rolling update removes first, case by case. */
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
        ReplicaSet set = new ReplicaSetBuilder().withNewMetadata().withName("old").endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec()
                .withNewStatus().withReplicas(Math.max(replicas, available)).withAvailableReplicas(available)
                .endStatus().build();

        assertThat(RollingUpdate.unhealthyToRemove(set, budget)).isEqualTo(removed);
    }
}
