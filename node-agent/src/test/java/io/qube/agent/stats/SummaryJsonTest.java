package io.qube.agent.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.stats.ResourceSampler.ContainerSample;
import io.qube.agent.stats.ResourceSampler.PodSample;
import io.qube.agent.stats.ResourceSampler.Reading;
import io.qube.agent.stats.ResourceSampler.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet's Summary and resource metrics built from a sample. */
class SummaryJsonTest {

    private static final Instant BOOT = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-06T11:00:00.250Z");

    private static Snapshot snapshot() {
        Reading node = new Reading(NOW, 0, new ContainerUsage(9_000_000_000L, 4_000_000, 3_000_000, 1_000_000),
                1_500_000_000L);
        Reading web = new Reading(NOW, 0, new ContainerUsage(2_000_000_000L, 300, 200, 100), 250_000_000L);
        Reading sidecar = new Reading(NOW.minusSeconds(1), 0, new ContainerUsage(1_000_000_000L, 30, 20, 10), 5L);
        Reading fresh = new Reading(NOW, 0, new ContainerUsage(1_000, 3, 2, 1), null);
        return new Snapshot(BOOT, node, List.of(
                new PodSample("default", "web", "uid-1", List.of(
                        new ContainerSample("app", BOOT.plusSeconds(60), web),
                        new ContainerSample("sidecar", BOOT.plusSeconds(30), sidecar))),
                new PodSample("kube-system", "new", "uid-2", List.of(
                        new ContainerSample("only", BOOT.plusSeconds(90), fresh)))), false);
    }

    @Test
    void theSummaryHasTheNodeAndEachPodWithItsContainersAndTheirSums() {
        JsonNode summary = SummaryJson.of("n1", snapshot(), 10_000_000);
        JsonNode node = summary.path("node");
        assertThat(node.path("nodeName").asText()).isEqualTo("n1");
        assertThat(node.path("startTime").asText()).isEqualTo("2026-12-06T10:00:00Z");
        assertThat(node.path("cpu").path("time").asText()).isEqualTo("2026-12-06T11:00:00Z");
        assertThat(node.path("cpu").path("usageNanoCores").asLong()).isEqualTo(1_500_000_000L);
        assertThat(node.path("cpu").path("usageCoreNanoSeconds").asLong()).isEqualTo(9_000_000_000L);
        assertThat(node.path("memory").path("workingSetBytes").asLong()).isEqualTo(3_000_000);
        assertThat(node.path("memory").path("availableBytes").asLong()).isEqualTo(7_000_000);
        JsonNode web = summary.path("pods").get(0);
        assertThat(web.path("podRef").toString()).isEqualTo("{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"uid-1\"}");
        assertThat(web.path("startTime").asText()).isEqualTo("2026-12-06T10:00:30Z");
        assertThat(web.path("containers").get(0).path("name").asText()).isEqualTo("app");
        assertThat(web.path("containers").get(0).path("cpu").path("usageNanoCores").asLong()).isEqualTo(250_000_000L);
        assertThat(web.path("containers").get(1).path("memory").path("rssBytes").asLong()).isEqualTo(10);
        assertThat(web.path("cpu").path("usageNanoCores").asLong()).isEqualTo(250_000_005L);
        assertThat(web.path("cpu").path("usageCoreNanoSeconds").asLong()).isEqualTo(3_000_000_000L);
        assertThat(web.path("memory").path("workingSetBytes").asLong()).isEqualTo(220);
        assertThat(web.path("memory").path("usageBytes").asLong()).isEqualTo(330);
    }

    @Test
    void aRateNotYetKnownIsLeftOutOfTheContainerAndItsPod() {
        JsonNode fresh = SummaryJson.of("n1", snapshot(), 0).path("pods").get(1);
        assertThat(fresh.path("containers").get(0).path("cpu").has("usageNanoCores")).isFalse();
        assertThat(fresh.path("containers").get(0).path("cpu").path("usageCoreNanoSeconds").asLong()).isEqualTo(1000);
        assertThat(fresh.path("cpu").has("usageNanoCores")).isFalse();
    }

    @Test
    void beforeTheFirstSampleTheNodeHasNoFigures() {
        JsonNode summary = SummaryJson.of("n1", new Snapshot(BOOT, null, List.of(), true), 0);
        assertThat(summary.path("node").has("cpu")).isFalse();
        assertThat(summary.path("pods")).isEmpty();
    }

    @Test
    void theResourceMetricsHaveTheKubeletsSeriesAndLabels() {
        String text = ResourceMetricsText.of(snapshot());
        long stamp = NOW.toEpochMilli();
        assertThat(text).contains(
                "# TYPE container_cpu_usage_seconds_total counter\n",
                "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} 2 " + stamp,
                "container_memory_working_set_bytes{container=\"sidecar\",namespace=\"default\",pod=\"web\"} 20 ",
                "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} 1796551260 ",
                "node_cpu_usage_seconds_total 9 " + stamp,
                "node_memory_working_set_bytes 3000000 " + stamp,
                "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 3 " + stamp,
                "pod_memory_working_set_bytes{namespace=\"kube-system\",pod=\"new\"} 2 ",
                "container_cpu_usage_seconds_total{container=\"only\",namespace=\"kube-system\",pod=\"new\"} 0.000001 ",
                "scrape_error 0\n");
    }
}
