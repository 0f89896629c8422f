package io.qube.scheduler.framework;

import io.qube.scheduler.plugins.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FitErrorTest {

    private static final String AFFINITY = "node(s) didn't match Pod's node affinity/selector";

    /** Rejections from alternating node names and statuses. */
    private static Map<String, Status> rejections(Object... nodesAndStatuses) {
        Map<String, Status> rejections = new LinkedHashMap<>();
        for (int i = 0; i < nodesAndStatuses.length; i += 2) {
            rejections.put((String) nodesAndStatuses[i], (Status) nodesAndStatuses[i + 1]);
        }
        return rejections;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("reasons counted over nodes and sorted, then the preemption message",
                        5, rejections("n1", Status.unresolvable(AFFINITY), "n2", Status.unschedulable("Insufficient cpu"),
                                "n3", Status.unresolvable(AFFINITY), "n4", Status.unschedulable("Insufficient cpu"),
                                "n5", Status.unresolvable(AFFINITY)),
                        "", "preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, "
                                + "3 Preemption is not helpful for scheduling.",
                        "0/5 nodes are available: 2 Insufficient cpu, 3 " + AFFINITY + ". preemption: 0/5 nodes are "
                                + "available: 2 No preemption victims found for incoming pod, 3 Preemption is not "
                                + "helpful for scheduling."),
                arguments("a node with several reasons counts for each",
                        2, rejections("n1", Status.unschedulable("Insufficient cpu", "Insufficient memory"),
                                "n2", Status.unschedulable("Insufficient memory")),
                        "", "", "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory."),
                arguments("sorted as strings, count first",
                        3, rejections("n1", Status.unresolvable("node(s) had untolerated taint {a: b}"),
                                "n2", Status.unschedulable("Insufficient cpu"), "n3", Status.unschedulable("Insufficient cpu")),
                        "", "", "0/3 nodes are available: 1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu."),
                arguments("a PreFilter rejection stands for every node",
                        3, rejections("n1", Status.unresolvable(AFFINITY), "n2", Status.unresolvable(AFFINITY),
                                "n3", Status.unresolvable(AFFINITY)),
                        AFFINITY, "", "0/3 nodes are available: " + AFFINITY + "."),
                arguments("a PostFilter message without a final period gets one",
                        1, rejections("n1", Status.unschedulable("Insufficient cpu")), "",
                        "preemption: not eligible due to preemptionPolicy=Never",
                        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."),
                arguments("a PostFilter message with its period keeps one",
                        1, rejections("n1", Status.unschedulable("Insufficient cpu")), "",
                        "preemption: not eligible due to preemptionPolicy=Never.",
                        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void message(String name, int allNodes, Map<String, Status> rejections, String preFilterMessage,
                 String postFilterMessage, String expected) {
        FitError error = new FitError(Fixtures.pod("p").info(), allNodes, rejections, preFilterMessage, postFilterMessage);

        assertThat(error.message()).as(name).isEqualTo(expected);
    }
}
