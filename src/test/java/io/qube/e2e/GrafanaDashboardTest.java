package io.qube.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.PromQl;
import io.qube.test.PrometheusText;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every query of the shipped Grafana dashboard (helm/qube/files/grafana-dashboard.json) names only metrics that are
 * exported: the control plane's against a real scrape of /q/metrics after a small workload, with the labels the
 * queries group by; the node agent's {@code kubelet_*} ones are left to the agent's own test (listed in the docs'
 * "Metrics" section).
 */
@QuarkusTest
@TestProfile(MetricsProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class GrafanaDashboardTest extends ControllerTestBase {

    static final Path DASHBOARD = Path.of("helm/qube/files/grafana-dashboard.json");

    @Override
    protected String namespacePrefix() {
        return "grafana";
    }

    @Test
    void everyQueriedMetricIsExported() throws IOException {
        // A pod no node can take: a write, watch events to the controllers and the scheduler, a scheduling attempt.
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("waiting")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().build()).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> ControlPlaneMetricsTest.scrape()
                .sum("scheduler_schedule_attempts_total", Map.of()) > 0);
        PrometheusText scrape = ControlPlaneMetricsTest.scrape();

        List<String> exprs = exprs(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(exprs).hasSizeGreaterThan(20);
        Set<String> missing = new TreeSet<>();
        Set<String> kubelet = new TreeSet<>();
        for (String expr : exprs) {
            PromQl.Names names = PromQl.names(expr);
            assertThat(names.metrics()).as(expr).isNotEmpty();
            for (String metric : names.metrics()) {
                if (metric.startsWith("kubelet_")) {
                    kubelet.add(metric);
                } else if (!scrape.names().contains(metric)) {
                    missing.add(metric);
                } else {
                    for (String label : names.groupingLabels()) {
                        if (!label.equals("instance")) {
                            assertThat(scrape.series(metric, Map.of()))
                                    .as("%s grouped by %s in %s", metric, label, expr)
                                    .anyMatch(sample -> sample.labels().containsKey(label));
                        }
                    }
                }
            }
        }
        assertThat(missing).as("queried by the dashboard, not exported by the control plane").isEmpty();
        assertThat(kubelet).containsExactlyInAnyOrder("kubelet_running_pods", "kubelet_running_containers",
                "kubelet_pod_start_duration_seconds_bucket", "kubelet_runtime_operations_total");
    }

    @Test
    void panelsQueryThroughTheDataSourceVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("templating").path("list").findValuesAsText("name")).contains("DS_PROMETHEUS");
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${DS_PROMETHEUS}");
            }
        }
    }

    private static List<String> exprs(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            exprs.add(expr.asText());
        }
        return exprs;
    }
}
