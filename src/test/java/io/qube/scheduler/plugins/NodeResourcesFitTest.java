package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import io.qube.scheduler.plugins.NodeResourcesFit.Strategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class NodeResourcesFitTest {

    private static final String GPU = "example.com/gpu";

    private static Fixtures.NodeMaker small() {
        return node("n1").cpu("2").memory("4Gi");
    }

    /** The node (with its pods), the pod; the reasons it does not fit, none when it does. */
    static Stream<Arguments> filterCases() {
        return Stream.of(
                arguments("fits on an empty node", small(), pod("p").requests("1", "1Gi"), List.of()),
                arguments("Insufficient cpu", small().with(pod("old").requests("1500m", null)),
                        pod("p").requests("600m", null), List.of("Insufficient cpu")),
                arguments("fits exactly at the cpu limit", small().with(pod("old").requests("1500m", null)),
                        pod("p").requests("500m", null), List.of()),
                arguments("Insufficient memory", small().with(pod("old").requests(null, "3Gi")),
                        pod("p").requests(null, "1536Mi"), List.of("Insufficient memory")),
                arguments("fits exactly at the memory limit", small().with(pod("old").requests(null, "3Gi")),
                        pod("p").requests(null, "1Gi"), List.of()),
                arguments("Insufficient ephemeral-storage", small().allocatable("ephemeral-storage", "10Gi")
                                .with(pod("old").request("ephemeral-storage", "8Gi")),
                        pod("p").request("ephemeral-storage", "3Gi"), List.of("Insufficient ephemeral-storage")),
                arguments("ephemeral-storage fits", small().allocatable("ephemeral-storage", "10Gi"),
                        pod("p").request("ephemeral-storage", "10Gi"), List.of()),
                arguments("an extended resource the node does not have", small(), pod("p").request(GPU, "1"),
                        List.of("Insufficient example.com/gpu")),
                arguments("an extended resource with room left",
                        small().allocatable(GPU, "2").with(pod("old").request(GPU, "1")),
                        pod("p").request(GPU, "1"), List.of()),
                arguments("an extended resource used up", small().allocatable(GPU, "2").with(pod("old").request(GPU, "2")),
                        pod("p").request(GPU, "1"), List.of("Insufficient example.com/gpu")),
                arguments("Too many pods, even for a pod without requests", small().pods(2).with(pod("a"), pod("b")),
                        pod("p"), List.of("Too many pods")),
                arguments("one pod slot left", small().pods(3).with(pod("a"), pod("b")), pod("p").requests("1", "1Gi"),
                        List.of()),
                arguments("several reasons at once, in Kubernetes' order",
                        small().pods(1).allocatable(GPU, "1").with(pod("old").requests("1500m", "3Gi").request(GPU, "1")),
                        pod("p").requests("1", "2Gi").request(GPU, "1"),
                        List.of("Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient example.com/gpu")),
                arguments("a pod without requests fits a full node", small().with(pod("old").requests("2", "4Gi")),
                        pod("p"), List.of()),
                arguments("an init container larger than the containers counts",
                        small().with(pod("old").requests("1", null)),
                        pod("p").requests("500m", null).initContainer("cpu", "1500m"), List.of("Insufficient cpu")),
                arguments("the containers' sum counts when larger than any init container",
                        small().with(pod("old").requests("1", null)),
                        pod("p").requests("400m", null).container("cpu", "400m").initContainer("cpu", "300m"), List.of()),
                arguments("containers are summed", small().with(pod("old").requests("1", null)),
                        pod("p").requests("600m", null).container("cpu", "600m").initContainer("cpu", "100m"),
                        List.of("Insufficient cpu")),
                arguments("init containers run one at a time (max, not sum)", small().with(pod("old").requests("1", null)),
                        pod("p").requests("100m", null).initContainer("cpu", "900m").initContainer("cpu", "900m"),
                        List.of()),
                arguments("a sidecar runs beside the containers: added to them",
                        small().with(pod("old").requests("1", null)),
                        pod("p").requests("600m", null).sidecar("cpu", "500m"), List.of("Insufficient cpu")),
                arguments("an init container after a sidecar runs beside it", small().with(pod("old").requests("1", null)),
                        pod("p").requests("100m", null).sidecar("cpu", "300m").initContainer("cpu", "800m"),
                        List.of("Insufficient cpu")),
                arguments("an init container before a sidecar runs alone", small().with(pod("old").requests("1", null)),
                        pod("p").requests("100m", null).initContainer("cpu", "800m").sidecar("cpu", "300m"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.NodeMaker node, Fixtures.PodMaker pod, List<String> reasons) {
        TestHandle handle = new TestHandle(List.of(node.info()));
        Status status = new Cycle(handle, new NodeResourcesFit(Strategy.LEAST_ALLOCATED)).filter(pod.info()).get("n1");

        if (reasons.isEmpty()) {
            Cycle.assertStatus(name, status, Code.SUCCESS);
        } else {
            Cycle.assertStatus(name, status, Code.UNSCHEDULABLE, reasons.toArray(String[]::new));
        }
    }

    /**
     * Expected scores worked out by hand, per resource then averaged (cpu and memory weigh 1 each):
     * LeastAllocated (capacity - used) * 100 / capacity, MostAllocated min(used, capacity) * 100 / capacity, where
     * used counts containers without requests at 100m cpu and 200Mi memory.
     */
    static Stream<Arguments> scoreCases() {
        return Stream.of(
                // cpu 2000/4000 -> 50, memory 4Gi/8Gi -> 50.
                arguments("half used", node("n1").with(pod("old").requests("1", "2Gi")), pod("p").requests("1", "2Gi"),
                        50L, 50L),
                // cpu 3000/4000 -> least 25, most 75; memory 1Gi/8Gi -> least 87 (87.5), most 12 (12.5).
                arguments("cpu-heavy pod on an empty node", node("n1"), pod("p").requests("3", "1Gi"), 56L, 43L),
                // cpu 100m/4000m -> least 97 (97.5), most 2 (2.5); memory 200Mi/4Gi -> least 95 (95.1), most 4 (4.9).
                arguments("a pod without requests counts 100m cpu and 200Mi memory", node("n1").memory("4Gi"), pod("p"),
                        96L, 3L),
                // cpu 1000m/4000m -> least 75, most 25; memory 200Mi/4Gi -> least 95, most 4.
                arguments("a container with only a cpu request counts 200Mi of memory", node("n1").memory("4Gi"),
                        pod("p").requests("1", null), 85L, 14L),
                // cpu (100m + 400m)/1000m -> 50; memory (200Mi + 800Mi)/2000Mi -> 50.
                arguments("placed pods without requests count their defaults too",
                        node("n1").cpu("1").memory("2000Mi").with(pod("old")), pod("p").requests("400m", "800Mi"), 50L, 50L),
                // cpu 1500m/1000m -> least 0, most 100; memory (200Mi default of the old pod + 1000Mi)/2000Mi ->
                // least 40, most 60.
                arguments("over capacity: least 0, most 100 for that resource",
                        node("n1").cpu("1").memory("2000Mi").with(pod("old").requests("1", null)),
                        pod("p").requests("500m", "1000Mi"), 20L, 80L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Fixtures.NodeMaker node, Fixtures.PodMaker pod, long leastAllocated, long mostAllocated) {
        TestHandle handle = new TestHandle(List.of(node.info()));

        assertThat(new Cycle(handle, new NodeResourcesFit(Strategy.LEAST_ALLOCATED)).score(pod.info()).get("n1"))
                .as("%s, LeastAllocated", name).isEqualTo(leastAllocated);
        assertThat(new Cycle(handle, new NodeResourcesFit(Strategy.MOST_ALLOCATED)).score(pod.info()).get("n1"))
                .as("%s, MostAllocated", name).isEqualTo(mostAllocated);
    }
}
