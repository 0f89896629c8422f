package io.qube.controller.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The taints a node's conditions call for; the user's taints stay, a kept taint keeps its time. */
class ConditionTaintsTest {

    private static final Instant NOW = Instant.parse("2026-12-05T20:00:00Z");
    private static final String EARLIER = "2026-12-05T19:00:00Z";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ready: none", Map.of("Ready", "True"), false, List.of(), List.of()),
                Arguments.of("not ready", Map.of("Ready", "False"), false, List.of(),
                        List.of("node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute@now")),
                Arguments.of("unknown", Map.of("Ready", "Unknown"), false, List.of(),
                        List.of("node.kubernetes.io/unreachable:NoSchedule",
                                "node.kubernetes.io/unreachable:NoExecute@now")),
                Arguments.of("pressure", Map.of("Ready", "True", "MemoryPressure", "True", "DiskPressure", "True",
                        "PIDPressure", "False"), false, List.of(),
                        List.of("node.kubernetes.io/memory-pressure:NoSchedule",
                                "node.kubernetes.io/disk-pressure:NoSchedule")),
                Arguments.of("cordoned", Map.of("Ready", "True"), true, List.of(),
                        List.of("node.kubernetes.io/unschedulable:NoSchedule")),
                Arguments.of("back to ready: the managed taints go, the user's stay", Map.of("Ready", "True"), false,
                        List.of(taint("node.kubernetes.io/unreachable", "NoExecute", EARLIER),
                                taint("dedicated", "NoSchedule", null)),
                        List.of("dedicated:NoSchedule")),
                Arguments.of("still unknown: the NoExecute taint keeps its time", Map.of("Ready", "Unknown"), false,
                        List.of(taint("node.kubernetes.io/unreachable", "NoExecute", EARLIER)),
                        List.of("node.kubernetes.io/unreachable:NoExecute@" + EARLIER,
                                "node.kubernetes.io/unreachable:NoSchedule")),
                Arguments.of("unknown after not ready: one set replaces the other", Map.of("Ready", "Unknown"), false,
                        List.of(taint("node.kubernetes.io/not-ready", "NoExecute", EARLIER),
                                taint("node.kubernetes.io/not-ready", "NoSchedule", null)),
                        List.of("node.kubernetes.io/unreachable:NoSchedule",
                                "node.kubernetes.io/unreachable:NoExecute@now")),
                Arguments.of("no conditions yet: none", Map.of(), false, List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void desired(String name, Map<String, String> conditions, boolean cordoned, List<Taint> current,
                 List<String> expected) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withUnschedulable(cordoned).withTaints(current).endSpec().withNewStatus().endStatus();
        conditions.forEach((type, status) -> node.editStatus().addToConditions(new NodeConditionBuilder()
                .withType(type).withStatus(status).build()).endStatus());
        Node built = node.build();
        assertThat(ConditionTaints.desired(built, NOW).stream().map(ConditionTaintsTest::describe).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    private static String describe(Taint taint) {
        String time = taint.getTimeAdded() == null ? "" : "@" + (taint.getTimeAdded().equals(NOW.toString()) ? "now"
                : taint.getTimeAdded());
        return taint.getKey() + ":" + taint.getEffect() + time;
    }

    private static Taint taint(String key, String effect, String added) {
        return new TaintBuilder().withKey(key).withEffect(effect).withTimeAdded(added).build();
    }
}
