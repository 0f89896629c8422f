package io.qube.controller.daemonset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One RollingUpdate step over a DaemonSet's nodes: which old pods go and where new ones start. */
class RollingUpdateTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final String NEW = "new-hash";
    private static final String OLD = "old-hash";

    /**
     * Each node's pods as a word: "old"/"new" for an available pod of that template, "old?"/"new?" for one not
     * available, "-" for none, "old+new" for both.
     */
    @ParameterizedTest(name = "{0} with maxUnavailable {1}: delete {2}")
    @CsvSource(delimiter = '|', value = {
            "old old old      | 1   | a",
            "old old old      | 2   | a b",
            "old old old      | 50% | a b",
            "old old old      | 10% | a",
            "new? old old     | 1   | ''",
            "new old old      | 1   | b",
            "old? old old     | 1   | a",
            "old? old? old    | 1   | a b",
            "- old old        | 1   | ''",
            "new new new      | 1   | ''",
            "old+new old old  | 1   | ''",
    })
    void withoutSurgeOldPodsGoWithinMaxUnavailable(String nodes, String maxUnavailable, String deleted) {
        DaemonSet set = daemonSet(intOrPercent(maxUnavailable), new IntOrString(0));

        RollingUpdate.Plan plan = RollingUpdate.step(set, cluster(nodes), runEverywhere(nodes), NEW, NOW);

        assertThat(plan.delete()).extracting(p -> p.getSpec().getNodeName()).containsExactlyElementsOf(names(deleted));
        assertThat(plan.create()).isEmpty();
    }

    @ParameterizedTest(name = "{0} with maxSurge {1}: create {2}, delete {3}")
    @CsvSource(delimiter = '|', value = {
            "old old old           | 1   | a   | ''",
            "old old old           | 2   | a b | ''",
            "old old old           | 34% | a b | ''",
            "old+new? old old      | 1   | ''  | ''",
            "old+new old old       | 1   | b   | a",
            "old? old old          | 1   | a b | ''",
            "new new new           | 1   | ''  | ''",
    })
    void withSurgeNewPodsStartNextToOldOnes(String nodes, String maxSurge, String created, String deleted) {
        DaemonSet set = daemonSet(new IntOrString(0), intOrPercent(maxSurge));

        RollingUpdate.Plan plan = RollingUpdate.step(set, cluster(nodes), runEverywhere(nodes), NEW, NOW);

        assertThat(plan.create()).containsExactlyElementsOf(names(created));
        assertThat(plan.delete()).extracting(p -> p.getSpec().getNodeName()).containsExactlyElementsOf(names(deleted));
    }

    @Test
    void withSurgeAPodOnANodeLeftBehindGoesOnlyOnceTheOthersAreAvailable() {
        DaemonSet set = daemonSet(new IntOrString(0), new IntOrString(1));
        Map<String, List<Pod>> pods = cluster("old old old");
        Map<String, DaemonNodes.Placement> placements = new HashMap<>(runEverywhere("old old old"));
        placements.put("c", DaemonNodes.Placement.NEVER);

        RollingUpdate.Plan plan = RollingUpdate.step(set, pods, placements, NEW, NOW);

        // Two nodes should run it and three pods are available: the one on c may go; a surges on its own.
        assertThat(plan.delete()).extracting(p -> p.getSpec().getNodeName()).containsExactly("c");
        assertThat(plan.create()).containsExactly("a");
    }

    @Test
    void percentagesRoundUpAndAbsentCountsAsZero() {
        DaemonSet set = daemonSet(new IntOrString("25%"), null);

        assertThat(RollingUpdate.maxUnavailable(set, 5)).isEqualTo(2);
        assertThat(RollingUpdate.maxSurge(set, 5)).isZero();
        assertThat(RollingUpdate.allowsSurge(set)).isFalse();
        assertThat(RollingUpdate.allowsSurge(daemonSet(new IntOrString(0), new IntOrString("1%")))).isTrue();
    }

    private static List<String> names(String spaced) {
        return spaced.isBlank() ? List.of() : List.of(spaced.trim().split("\\s+"));
    }

    private static IntOrString intOrPercent(String value) {
        return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
    }

    /** Nodes a, b, c, ... with the pods the words describe. */
    private static Map<String, List<Pod>> cluster(String nodes) {
        Map<String, List<Pod>> byNode = new LinkedHashMap<>();
        char name = 'a';
        for (String word : nodes.trim().split("\\s+")) {
            String node = String.valueOf(name++);
            byNode.put(node, word.equals("-") ? List.of() : java.util.Arrays.stream(word.split("\\+"))
                    .map(kind -> pod(node, kind)).toList());
        }
        return byNode;
    }

    private static Map<String, DaemonNodes.Placement> runEverywhere(String nodes) {
        Map<String, DaemonNodes.Placement> placements = new HashMap<>();
        cluster(nodes).keySet().forEach(node -> placements.put(node, DaemonNodes.Placement.ALWAYS));
        return placements;
    }

    private static Pod pod(String node, String kind) {
        boolean available = !kind.endsWith("?");
        String hash = kind.startsWith("new") ? NEW : OLD;
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(node + "-" + kind).addToLabels(
                DaemonRevisions.HASH_LABEL, hash).endMetadata().withSpec(new PodSpecBuilder().withNodeName(node).build());
        if (available) {
            pod.withNewStatus().withPhase("Running").withConditions(new PodConditionBuilder().withType("Ready")
                    .withStatus("True").withLastTransitionTime(NOW.minusSeconds(60).toString()).build()).endStatus();
        }
        return pod.build();
    }

    private static DaemonSet daemonSet(IntOrString maxUnavailable, IntOrString maxSurge) {
        return new DaemonSetBuilder(DaemonNodesTest.daemonSet(new PodSpecBuilder().build())).editSpec()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(maxUnavailable).withMaxSurge(maxSurge).endRollingUpdate().endUpdateStrategy()
                .endSpec().build();
    }
}
