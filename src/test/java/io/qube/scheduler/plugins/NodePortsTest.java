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

class NodePortsTest {

    private static final String REASON = "node(s) didn't have free ports for the requested pod ports";

    /** The port a placed pod takes, the port the new pod wants (port, protocol, host IP); whether they clash. */
    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("same port and protocol on every address", pod("old").hostPort(8080, "TCP", null),
                        pod("p").hostPort(8080, "TCP", null), true),
                arguments("TCP is the default protocol", pod("old").hostPort(8080, "TCP", null),
                        pod("p").hostPort(8080, null, null), true),
                arguments("different protocol", pod("old").hostPort(53, "TCP", null),
                        pod("p").hostPort(53, "UDP", null), false),
                arguments("different port", pod("old").hostPort(8080, "TCP", null),
                        pod("p").hostPort(8081, "TCP", null), false),
                arguments("a specific IP against 0.0.0.0", pod("old").hostPort(8080, "TCP", "0.0.0.0"),
                        pod("p").hostPort(8080, "TCP", "10.0.0.1"), true),
                arguments("0.0.0.0 against a specific IP", pod("old").hostPort(8080, "TCP", "10.0.0.1"),
                        pod("p").hostPort(8080, "TCP", "0.0.0.0"), true),
                arguments("the same specific IP", pod("old").hostPort(8080, "TCP", "10.0.0.1"),
                        pod("p").hostPort(8080, "TCP", "10.0.0.1"), true),
                arguments("two different specific IPs", pod("old").hostPort(8080, "TCP", "10.0.0.1"),
                        pod("p").hostPort(8080, "TCP", "10.0.0.2"), false),
                arguments("one of several ports clashes", pod("old").hostPort(9090, "TCP", null),
                        pod("p").hostPort(8080, "TCP", null).hostPort(9090, "TCP", null), true),
                arguments("a pod without host ports", pod("old").hostPort(8080, "TCP", null), pod("p"), false),
                arguments("a node without used ports", pod("old"), pod("p").hostPort(8080, "TCP", null), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Fixtures.PodMaker placed, Fixtures.PodMaker pod, boolean conflict) {
        TestHandle handle = new TestHandle(List.of(node("n1").with(placed).info()));
        Status status = new Cycle(handle, new NodePorts()).filter(pod.info()).get("n1");

        if (conflict) {
            Cycle.assertStatus(name, status, Code.UNSCHEDULABLE, REASON);
        } else {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        }
    }
}
