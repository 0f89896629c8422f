package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints.Plugin;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs one plugin the way a scheduling cycle does, through a Framework holding only it: PreFilter (whose SKIP leaves
 * Filter out, whose rejection stands for every node) then Filter on every node of the handle's snapshot; or
 * PreScore then Score and NormalizeScore over those nodes.
 */
final class Cycle {

    private final TestHandle handle;
    private final Framework framework;

    Cycle(TestHandle handle, Plugin plugin) {
        this.handle = handle;
        this.framework = new Framework("test", List.of(plugin), Map.of());
        handle.setFramework(framework);
    }

    /** Each node's Filter outcome, by node name in snapshot order. */
    Map<String, Status> filter(PodInfo pod) {
        CycleState state = new CycleState();
        List<NodeInfo> nodes = handle.snapshot().nodes();
        Status preFiltered = framework.runPreFilter(state, pod, nodes).status();
        Map<String, Status> outcome = new LinkedHashMap<>();
        for (NodeInfo node : nodes) {
            outcome.put(node.name(), preFiltered.isSuccess() ? framework.runFilters(state, pod, node) : preFiltered);
        }
        return outcome;
    }

    /** Each node's normalised score, by node name in snapshot order. */
    Map<String, Long> score(PodInfo pod) {
        CycleState state = new CycleState();
        List<NodeInfo> nodes = handle.snapshot().nodes();
        Status preScored = framework.runPreScore(state, pod, nodes);
        assertThat(preScored.isSuccess()).as("PreScore %s", preScored).isTrue();
        long[] scores = framework.runScore(state, pod, nodes);
        Map<String, Long> outcome = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            outcome.put(nodes.get(i).name(), scores[i]);
        }
        return outcome;
    }

    /** Asserts a status's code and reasons (the plugin name it carries is not compared). */
    static void assertStatus(String description, Status actual, Status.Code code, String... reasons) {
        assertThat(actual.code()).as("%s: code of %s", description, actual).isEqualTo(code);
        assertThat(actual.reasons()).as("%s: reasons", description).containsExactly(reasons);
    }
}
