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

class NodeNameTest {

    private static final String REASON = "node(s) didn't match the requested node name";

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("no node name fits anywhere", null, "n1", Code.SUCCESS),
                arguments("empty node name fits anywhere", "", "n1", Code.SUCCESS),
                arguments("the named node fits", "n1", "n1", Code.SUCCESS),
                arguments("another node does not", "n1", "n2", Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
                arguments("names are compared exactly", "n1", "n10", Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, String podNodeName, String nodeName, Code expected) {
        TestHandle handle = new TestHandle(List.of(node(nodeName).info()));
        Status status = new Cycle(handle, new NodeName()).filter(pod("p").nodeName(podNodeName).info()).get(nodeName);

        if (expected == Code.SUCCESS) {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        } else {
            Cycle.assertStatus(name, status, expected, REASON);
        }
    }
}
