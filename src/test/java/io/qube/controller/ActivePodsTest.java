package io.qube.controller;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' deletion order among a controller's pods, and what counts as active, ready and available. */
class ActivePodsTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void deletionOrderFollowsKubernetesRanks() {
        List<Pod> expected = List.of(
                pod("unscheduled").build(),
                pod("pending").node("a").phase("Pending").build(),
                pod("unknown").node("a").phase("Unknown").build(),
                pod("running-not-ready").node("a").phase("Running").build(),
                pod("ready-crowded-node").node("b").phase("Running").ready(T0).build(),
                pod("ready-recently").node("c").phase("Running").ready(T0.plusSeconds(60)).build(),
                pod("ready-restarted").node("d").phase("Running").ready(T0).restarts(3).build(),
                pod("ready-newer").node("e").phase("Running").ready(T0).created(T0.plusSeconds(5)).build(),
                pod("ready-older").node("f").phase("Running").ready(T0).created(T0).build());
        // Node b has two of the controller's pods, the other nodes one each.
        Map<String, Integer> colocated = Map.of("a", 1, "b", 2, "c", 1, "d", 1, "e", 1, "f", 1);
        List<Pod> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(7));

        List<Pod> sorted = shuffled.stream().sorted(ActivePods.deletionOrder(colocated)).toList();

        assertThat(sorted).extracting(p -> p.getMetadata().getName())
                .containsExactlyElementsOf(expected.stream().map(p -> p.getMetadata().getName()).toList());
    }

    @Test
    void activeReadyAndAvailable() {
        assertThat(ActivePods.isActive(pod("p").phase("Running").build())).isTrue();
        assertThat(ActivePods.isActive(pod("p").phase("Succeeded").build())).isFalse();
        assertThat(ActivePods.isActive(pod("p").phase("Failed").build())).isFalse();
        assertThat(ActivePods.isActive(pod("p").deleting().build())).isFalse();

        Pod ready = pod("p").phase("Running").ready(T0).build();
        assertThat(ActivePods.isReady(ready)).isTrue();
        assertThat(ActivePods.isReady(pod("p").phase("Running").build())).isFalse();
        assertThat(ActivePods.isAvailable(ready, 0, T0)).isTrue();
        assertThat(ActivePods.isAvailable(ready, 10, T0.plusSeconds(9))).isFalse();
        assertThat(ActivePods.isAvailable(ready, 10, T0.plusSeconds(10))).isTrue();
    }

    private static Maker pod(String name) {
        return new Maker(name);
    }

    private static final class Maker {
        private final PodBuilder builder;

        Maker(String name) {
            builder = new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(T0.toString())
                    .endMetadata().withNewSpec().endSpec().withNewStatus().endStatus();
        }

        Maker node(String node) {
            builder.editSpec().withNodeName(node).endSpec();
            return this;
        }

        Maker phase(String phase) {
            builder.editStatus().withPhase(phase).endStatus();
            return this;
        }

        Maker ready(Instant since) {
            builder.editStatus().addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                    .withLastTransitionTime(since.toString()).build()).endStatus();
            return this;
        }

        Maker restarts(int count) {
            builder.editStatus().addNewContainerStatus().withName("c").withRestartCount(count).endContainerStatus()
                    .endStatus();
            return this;
        }

        Maker created(Instant at) {
            builder.editMetadata().withCreationTimestamp(at.toString()).endMetadata();
            return this;
        }

        Maker deleting() {
            builder.editMetadata().withDeletionTimestamp(T0.toString()).endMetadata();
            return this;
        }

        Pod build() {
            return builder.build();
        }
    }
}
