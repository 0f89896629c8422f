package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class TaintTolerationTest {

    /** The node's taints and the pod's tolerations; the reason it is rejected for, or null when it fits. */
    static Stream<Arguments> filterCases() {
        return Stream.of(
                arguments("no taints", node("n1"), pod("p"), null),
                arguments("NoSchedule untolerated", node("n1").taint("dedicated", "gpu", "NoSchedule"), pod("p"),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                arguments("NoExecute untolerated", node("n1").taint("dedicated", "gpu", "NoExecute"), pod("p"),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                arguments("taint without a value",
                        node("n1").taint("node-role.kubernetes.io/control-plane", null, "NoSchedule"),
                        pod("p"), "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
                arguments("PreferNoSchedule is not filtered", node("n1").taint("dedicated", "gpu", "PreferNoSchedule"),
                        pod("p"), null),
                arguments("Equal with the same key and value", node("n1").taint("dedicated", "gpu", "NoSchedule"),
                        pod("p").tolerate("dedicated", "Equal", "gpu", "NoSchedule"), null),
                arguments("empty operator means Equal", node("n1").taint("dedicated", "gpu", "NoSchedule"),
                        pod("p").tolerate("dedicated", null, "gpu", "NoSchedule"), null),
                arguments("Equal with another value", node("n1").taint("dedicated", "gpu", "NoSchedule"),
                        pod("p").tolerate("dedicated", "Equal", "db", "NoSchedule"),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                arguments("Exists on the key, whatever the value", node("n1").taint("dedicated", "gpu", "NoExecute"),
                        pod("p").tolerate("dedicated", "Exists", null, "NoExecute"), null),
                arguments("Exists on another key", node("n1").taint("dedicated", "gpu", "NoSchedule"),
                        pod("p").tolerate("team", "Exists", null, "NoSchedule"),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                arguments("empty key with Exists tolerates everything", node("n1").taint("dedicated", "gpu", "NoSchedule")
                        .taint("other", "x", "NoExecute"), pod("p").tolerate(null, "Exists", null, null), null),
                arguments("effect mismatch", node("n1").taint("dedicated", "gpu", "NoSchedule"),
                        pod("p").tolerate("dedicated", "Equal", "gpu", "NoExecute"),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                arguments("a toleration without effect matches every effect",
                        node("n1").taint("dedicated", "gpu", "NoExecute"),
                        pod("p").tolerate("dedicated", "Equal", "gpu", null), null),
                arguments("one of two taints untolerated: the untolerated one is named",
                        node("n1").taint("dedicated", "gpu", "NoSchedule").taint("zone-down", "true", "NoExecute"),
                        pod("p").tolerate("dedicated", "Exists", null, null),
                        "node(s) had untolerated taint {zone-down: true}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.NodeMaker node, Fixtures.PodMaker pod, String reason) {
        TestHandle handle = new TestHandle(List.of(node.info()));
        Status status = new Cycle(handle, new TaintToleration()).filter(pod.info()).get("n1");

        if (reason == null) {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        } else {
            Cycle.assertStatus(name, status, Code.UNSCHEDULABLE_AND_UNRESOLVABLE, reason);
        }
    }

    /**
     * Nodes: clean (no taints), one (PreferNoSchedule a), two (PreferNoSchedule a and b), hard (NoSchedule a, which
     * Score does not count). Fewer untolerated soft taints score higher.
     */
    static Stream<Arguments> scoreCases() {
        return Stream.of(
                arguments("untolerated soft taints counted and reversed", pod("p"),
                        Map.of("clean", 100L, "one", 50L, "two", 0L, "hard", 100L)),
                arguments("a tolerated soft taint does not count",
                        pod("p").tolerate("a", "Exists", null, "PreferNoSchedule"),
                        Map.of("clean", 100L, "one", 100L, "two", 0L, "hard", 100L)),
                arguments("a toleration without effect counts for soft taints", pod("p").tolerate("b", "Exists", null, null),
                        Map.of("clean", 100L, "one", 0L, "two", 0L, "hard", 100L)),
                arguments("a NoSchedule toleration does not tolerate soft taints",
                        pod("p").tolerate("a", "Exists", null, "NoSchedule"),
                        Map.of("clean", 100L, "one", 50L, "two", 0L, "hard", 100L)),
                arguments("everything tolerated: every node 100", pod("p").tolerate(null, "Exists", null, null),
                        Map.of("clean", 100L, "one", 100L, "two", 100L, "hard", 100L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Fixtures.PodMaker pod, Map<String, Long> expected) {
        TestHandle handle = new TestHandle(Fixtures.infos(
                node("clean"),
                node("one").taint("a", "1", "PreferNoSchedule"),
                node("two").taint("a", "1", "PreferNoSchedule").taint("b", "2", "PreferNoSchedule"),
                node("hard").taint("a", "1", "NoSchedule")));

        assertThat(new Cycle(handle, new TaintToleration()).score(pod.info())).as(name).isEqualTo(expected);
    }
}
