package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class NodeUnschedulableTest {

    private static final String TAINT = "node.kubernetes.io/unschedulable";
    private static final String REASON = "node(s) were unschedulable";

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("schedulable node passes", node("n1"), pod("p"), Code.SUCCESS),
                arguments("schedulable node passes a pod with tolerations", node("n1"),
                        pod("p").tolerate(TAINT, "Exists", null, "NoSchedule"), Code.SUCCESS),
                arguments("cordoned node rejects", node("n1").unschedulable(), pod("p"),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
                arguments("cordoned node, toleration Exists NoSchedule of the unschedulable taint",
                        node("n1").unschedulable(), pod("p").tolerate(TAINT, "Exists", null, "NoSchedule"), Code.SUCCESS),
                arguments("cordoned node, toleration of the taint for every effect", node("n1").unschedulable(),
                        pod("p").tolerate(TAINT, "Exists", null, null), Code.SUCCESS),
                arguments("cordoned node, wildcard toleration (empty key, Exists)", node("n1").unschedulable(),
                        pod("p").tolerate(null, "Exists", null, null), Code.SUCCESS),
                arguments("cordoned node, toleration with effect NoExecute does not match NoSchedule",
                        node("n1").unschedulable(), pod("p").tolerate(TAINT, "Exists", null, "NoExecute"),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
                arguments("cordoned node, toleration of another key", node("n1").unschedulable(),
                        pod("p").tolerate("dedicated", "Exists", null, "NoSchedule"), Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
                arguments("cordoned node, Equal with a value the taint does not have", node("n1").unschedulable(),
                        pod("p").tolerate(TAINT, "Equal", "true", "NoSchedule"), Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Fixtures.NodeMaker node, Fixtures.PodMaker pod, Code expected) {
        TestHandle handle = new TestHandle(List.of(node.info()));
        Status status = new Cycle(handle, new NodeUnschedulable()).filter(pod.info()).get("n1");

        if (expected == Code.SUCCESS) {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        } else {
            Cycle.assertStatus(name, status, expected, REASON);
        }
    }
}
