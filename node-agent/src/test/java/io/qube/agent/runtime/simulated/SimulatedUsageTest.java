package io.qube.agent.runtime.simulated;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.agent.stats.ResourceSampler.Snapshot;
import io.qube.agent.stats.SummaryJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulated usage model, and a simulated node's figures from it in the kubelet's summary form. */
class SimulatedUsageTest {

    private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void aContainerUsesHalfOfItsRequests() {
        SimulatedUsage usage = SimulatedUsage.of(container("app", "200m", "64Mi"));
        assertThat(usage.milliCores()).isEqualTo(100);
        assertThat(usage.nanoCores()).isEqualTo(100_000_000L);
        assertThat(usage.workingSetBytes()).isEqualTo(32L << 20);
    }

    @Test
    void aContainerWithoutRequestsUsesASmallDefault() {
        SimulatedUsage usage = SimulatedUsage.of(new ContainerBuilder().withName("app").build());
        assertThat(usage.milliCores()).isEqualTo(5);
        assertThat(usage.workingSetBytes()).isEqualTo(8L << 20);
        assertThat(SimulatedUsage.of(container("app", "2", null)).milliCores()).isEqualTo(1000);
    }

    @Test
    void cpuTimeAccumulatesAtTheRateSoThatTwoReadingsGiveIt() {
        SimulatedUsage usage = new SimulatedUsage(250, 0);
        assertThat(usage.cpuNanos(START, START.minusSeconds(1))).isZero();
        long first = usage.cpuNanos(START, START.plusSeconds(10));
        long second = usage.cpuNanos(START, START.plusSeconds(20));
        assertThat(first).isEqualTo(2_500_000_000L);
        assertThat((second - first) / 10).isEqualTo(usage.nanoCores());
        // A year of a 64-core request does not overflow.
        assertThat(new SimulatedUsage(64_000, 0).cpuNanos(START, START.plusSeconds(365L * 24 * 3600)))
                .isEqualTo(64L * 365 * 24 * 3600 * 1_000_000_000L);
    }

    @Test
    void aNodeReportsItsPodsAndItsOwnSumWithTheSystemShare() {
        SimulatedStats stats = new SimulatedStats(List.of("sim-0", "sim-1"), START);
        stats.started("sim-0", pod("web", "u1", container("a", "200m", "64Mi"), container("b", null, null)),
                START);
        stats.started("sim-1", pod("other", "u2", container("a", "1", "1Gi")), START);

        Snapshot snapshot = stats.snapshot("sim-0", START.plusSeconds(10));
        assertThat(snapshot.pods()).singleElement().satisfies(pod -> {
            assertThat(pod.name()).isEqualTo("web");
            assertThat(pod.containers()).hasSize(2);
        });
        assertThat(snapshot.node().nanoCores()).isEqualTo((50 + 100 + 5) * 1_000_000L);
        assertThat(snapshot.node().usage().workingSetBytes()).isEqualTo((128L << 20) + (32L << 20) + (8L << 20));
        assertThat(snapshot.node().usage().cpuNanos()).isEqualTo(155L * 10 * 1_000_000);
        assertThat(stats.sandboxes("sim-0")).singleElement().satisfies(s -> assertThat(s.containers()).hasSize(2));

        var summary = SummaryJson.of("sim-0", snapshot, 16L << 30);
        assertThat(summary.path("node").path("nodeName").asText()).isEqualTo("sim-0");
        assertThat(summary.path("pods").get(0).path("cpu").path("usageNanoCores").asLong()).isEqualTo(105_000_000L);
    }

    @Test
    void theNodesCpuTimeKeepsWhatEndedPodsUsed() {
        SimulatedStats stats = new SimulatedStats(List.of("sim-0"), START);
        stats.started("sim-0", pod("job", "u1", container("a", "2", null)), START);
        long running = stats.snapshot("sim-0", START.plusSeconds(10)).node().usage().cpuNanos();
        stats.ended("sim-0", "u1", START.plusSeconds(10));
        stats.ended("sim-0", "u1", START.plusSeconds(11));
        Snapshot after = stats.snapshot("sim-0", START.plusSeconds(20));
        assertThat(after.pods()).isEmpty();
        assertThat(after.node().usage().cpuNanos()).isGreaterThan(running)
                .isEqualTo(10_000_000_000L + 50L * 20 * 1_000_000);
        assertThat(after.node().nanoCores()).isEqualTo(50_000_000L);
    }

    private static Container container(String name, String cpu, String memory) {
        Map<String, Quantity> requests = new java.util.HashMap<>();
        if (cpu != null) {
            requests.put("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            requests.put("memory", new Quantity(memory));
        }
        return new ContainerBuilder().withName(name).withNewResources().withRequests(requests).endResources().build();
    }

    private static Pod pod(String name, String uid, Container... containers) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName(name).withUid(uid).endMetadata()
                .withNewSpec().withContainers(containers).endSpec().build();
    }
}
