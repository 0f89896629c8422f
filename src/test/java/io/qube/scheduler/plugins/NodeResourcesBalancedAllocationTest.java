package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Score = (1 - |cpu fraction - memory fraction| / 2) * 100, fractions capped at 1; the node has 4 cpu and 8Gi. */
class NodeResourcesBalancedAllocationTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("equal fractions", node("n1"), pod("p").requests("2", "4Gi"), 100L),
                arguments("equal fractions with a placed pod", node("n1").with(pod("old").requests("1", "2Gi")),
                        pod("p").requests("1", "2Gi"), 100L),
                arguments("cpu 50%, memory 0%", node("n1"), pod("p").requests("2", null), 75L),
                arguments("cpu 100%, memory 0%", node("n1"), pod("p").requests("4", null), 50L),
                arguments("cpu 0%, memory 100%", node("n1"), pod("p").requests(null, "8Gi"), 50L),
                arguments("cpu 75%, memory 25%", node("n1"), pod("p").requests("3", "2Gi"), 75L),
                arguments("cpu 12.5%, memory 87.5%", node("n1"), pod("p").requests("500m", "7Gi"), 62L),
                arguments("a fraction over 1 is capped", node("n1").with(pod("old").requests("4", null)),
                        pod("p").requests("2", "2Gi"), 62L),
                arguments("requests count, not the non-zero defaults", node("n1").with(pod("old")),
                        pod("p").requests("1", "2Gi"), 100L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void score(String name, Fixtures.NodeMaker node, Fixtures.PodMaker pod, long expected) {
        TestHandle handle = new TestHandle(List.of(node.info()));

        assertThat(new Cycle(handle, new NodeResourcesBalancedAllocation()).score(pod.info()).get("n1")).as(name)
                .isEqualTo(expected);
    }

    static Stream<Arguments> preScoreCases() {
        return Stream.of(
                arguments("a pod without cpu or memory requests is not scored", pod("p"), true),
                arguments("a pod with only an extended resource is not scored", pod("p").request("example.com/gpu", "1"), true),
                arguments("a pod with a cpu request is scored", pod("p").requests("100m", null), false),
                arguments("a pod with a memory request is scored", pod("p").requests(null, "1Mi"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preScoreCases")
    void preScore(String name, Fixtures.PodMaker pod, boolean skipped) {
        Status status = new NodeResourcesBalancedAllocation().preScore(new CycleState(), pod.info(),
                List.of(node("n1").info()));

        assertThat(status.isSkip()).as(name).isEqualTo(skipped);
    }
}
