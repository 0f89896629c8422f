package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.qube.controller.statefulset.StatefulSets.REVISIONS;
import static io.qube.controller.statefulset.StatefulSets.pod;
import static io.qube.controller.statefulset.StatefulSets.running;
import static io.qube.controller.statefulset.StatefulSets.terminating;
import static io.qube.controller.statefulset.StatefulSets.web;
import static org.assertj.core.api.Assertions.assertThat;

/** What one sync decides for a StatefulSet's pods, policy by policy and state by state. */
class ReplicasTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static String plan(StatefulSet set, Pod... pods) {
        return Replicas.plan(set, List.of(pods), REVISIONS, NOW).toString();
    }

    private static StatefulSet parallel(StatefulSet set) {
        return new StatefulSetBuilder(set).editSpec().withPodManagementPolicy("Parallel").endSpec().build();
    }

    private static StatefulSet partitioned(StatefulSet set, int partition, Object maxUnavailable) {
        StatefulSetBuilder builder = new StatefulSetBuilder(set).editSpec().withNewUpdateStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withPartition(partition).endRollingUpdate()
                .endUpdateStrategy().endSpec();
        StatefulSet built = builder.build();
        if (maxUnavailable instanceof Integer count) {
            built.getSpec().getUpdateStrategy().getRollingUpdate()
                    .setMaxUnavailable(new IntOrString(count));
        } else if (maxUnavailable instanceof String percent) {
            built.getSpec().getUpdateStrategy().getRollingUpdate()
                    .setMaxUnavailable(new IntOrString(percent));
        }
        return built;
    }

    @Test
    void orderedReadyCreatesOnePodAtATimeEachOnceItsPredecessorIsReady() {
        StatefulSet set = web(3);
        assertThat(plan(set)).isEqualTo("+web-0");
        assertThat(plan(set, pod(set, 0, "web-new", "Pending", false))).isEmpty();
        assertThat(plan(set, pod(set, 0, "web-new", "Running", false))).isEmpty();
        assertThat(plan(set, running(set, 0, "web-new"))).isEqualTo("+web-1");
        assertThat(plan(set, running(set, 0, "web-new"), running(set, 1, "web-new"))).isEqualTo("+web-2");
    }

    @Test
    void minReadySecondsHoldsTheNextPodUntilThePredecessorIsAvailable() {
        StatefulSet set = new StatefulSetBuilder(web(2)).editSpec().withMinReadySeconds(10).endSpec().build();
        Pod justReady = running(set, 0, "web-new");
        justReady.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(5).toString());
        assertThat(plan(set, justReady)).isEmpty();
        justReady.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(10).toString());
        assertThat(plan(set, justReady)).isEqualTo("+web-1");
    }

    @Test
    void parallelCreatesAndDeletesAllAtOnce() {
        assertThat(plan(parallel(web(3)))).isEqualTo("+web-0 +web-1 +web-2");
        StatefulSet set = parallel(web(1));
        assertThat(plan(set, pod(set, 0, "web-new", "Pending", false), pod(set, 1, "web-new", "Pending", false),
                pod(set, 2, "web-new", "Running", true))).isEqualTo("-web-2 -web-1");
    }

    @Test
    void ordinalsStartWhereSpecOrdinalsSay() {
        StatefulSet set = new StatefulSetBuilder(parallel(web(2))).editSpec().withNewOrdinals().withStart(5)
                .endOrdinals().endSpec().build();
        assertThat(plan(set, running(set, 0, "web-new"))).isEqualTo("+web-5 +web-6 -web-0");
    }

    @Test
    void scaleDownDeletesTheHighestOrdinalFirstOneAtATimeAndWaitsForItToGo() {
        StatefulSet set = web(1);
        Pod zero = running(set, 0, "web-new");
        Pod one = running(set, 1, "web-new");
        Pod two = running(set, 2, "web-new");
        assertThat(plan(set, zero, one, two)).isEqualTo("-web-2");
        assertThat(plan(set, zero, one, terminating(two))).isEmpty();
        assertThat(plan(set, zero, one)).isEqualTo("-web-1");
    }

    @Test
    void orderedReadyHaltsOnAnUnhealthyPodButDeletesTheFirstUnhealthyCondemnedOne() {
        StatefulSet set = web(1);
        Pod zero = running(set, 0, "web-new");
        Pod notReady = pod(set, 2, "web-new", "Running", false);
        // web-2 is the first unhealthy pod (condemned ones are looked at highest first): it may go.
        assertThat(plan(set, zero, running(set, 1, "web-new"), notReady)).isEqualTo("-web-2");
        assertThat(plan(set, zero, pod(set, 1, "web-new", "Running", false), notReady)).isEqualTo("-web-2");
        assertThat(plan(set, pod(set, 0, "web-new", "Running", false), running(set, 1, "web-new"))).isEmpty();
    }

    @Test
    void aFailedPodIsDeletedToBeMadeAgain() {
        StatefulSet set = web(2);
        assertThat(plan(set, running(set, 0, "web-new"), pod(set, 1, "web-new", "Failed", false)))
                .isEqualTo("-web-1");
        assertThat(plan(set, pod(set, 0, "web-new", "Succeeded", false), running(set, 1, "web-new")))
                .isEqualTo("-web-0");
    }

    @Test
    void aPodThatLostItsIdentityGetsItBack() {
        StatefulSet set = web(1);
        Pod relabelled = running(set, 0, "web-new");
        relabelled.getMetadata().getLabels().remove(StatefulPods.POD_INDEX_LABEL);
        relabelled.getSpec().setHostname("other");

        StatefulPlan plan = Replicas.plan(set, List.of(relabelled), REVISIONS, NOW);

        assertThat(plan.toString()).isEqualTo("~web-0");
        assertThat(plan.update.get(0).getSpec().getHostname()).isEqualTo("web-0");
        assertThat(plan.update.get(0).getMetadata().getLabels()).containsEntry(StatefulPods.POD_INDEX_LABEL, "0");
    }

    @Test
    void rollingUpdateReplacesTheHighestOldPodDownToThePartitionWithinMaxUnavailable() {
        StatefulSet set = web(4);
        Pod[] old = {running(set, 0, "web-old"), running(set, 1, "web-old"), running(set, 2, "web-old"),
                running(set, 3, "web-old")};
        assertThat(plan(set, old)).isEqualTo("-web-3");
        assertThat(plan(set, old[0], old[1], old[2], running(set, 3, "web-new"))).isEqualTo("-web-2");
        // An updated pod not ready yet: OrderedReady waits for it.
        assertThat(plan(set, old[0], old[1], old[2], pod(set, 3, "web-new", "Running", false))).isEmpty();

        StatefulSet partitioned = partitioned(set, 2, null);
        assertThat(plan(partitioned, old[0], old[1], running(set, 2, "web-new"), running(set, 3, "web-new")))
                .isEmpty();
        assertThat(plan(parallel(partitioned(set, 0, 2)), old)).isEqualTo("-web-3 -web-2");
        assertThat(plan(parallel(partitioned(set, 0, "50%")), old[0], old[1], old[2],
                pod(set, 3, "web-new", "Running", false))).isEqualTo("-web-2");
    }

    @Test
    void onDeleteLeavesOldPodsAlone() {
        StatefulSet set = new StatefulSetBuilder(web(2)).editSpec().withNewUpdateStrategy().withType("OnDelete")
                .endUpdateStrategy().endSpec().build();
        assertThat(plan(set, running(set, 0, "web-old"), running(set, 1, "web-old"))).isEmpty();
    }

    @Test
    void aNewPodBelowThePartitionIsMadeFromTheCurrentRevision() {
        StatefulSet set = partitioned(web(3), 2, null);
        assertThat(StatefulPods.revision(Replicas.versionedPod(set, REVISIONS, 1))).isEqualTo("web-old");
        assertThat(StatefulPods.revision(Replicas.versionedPod(set, REVISIONS, 2))).isEqualTo("web-new");
    }
}
