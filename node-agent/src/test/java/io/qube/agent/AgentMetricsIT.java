package io.qube.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.metrics.PrometheusSamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet's /metrics and /healthz on a real node's endpoint: the packaged control plane and one process-runtime
 * agent run a known workload (two pods), and the scraped Prometheus text moves as the kubelet's would.
 */
class AgentMetricsIT {

    private static final String NODE = "metrics-0";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The kubelet names the Grafana dashboard queries, when the dashboard is not in this checkout. */
    private static final Set<String> DASHBOARD_KUBELET_NAMES = Set.of("kubelet_running_pods",
            "kubelet_running_containers", "kubelet_pod_start_duration_seconds", "kubelet_runtime_operations_total");
    private static final Path DASHBOARD = Path.of("..", "helm", "qube", "files", "grafana-dashboard.json");

    private static ProcessCluster cluster;
    private static KubernetesClient client;
    private static URI endpoint;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startNode() throws Exception {
        cluster = ProcessCluster.start(Map.of(), 1, "metrics", new ProcessCluster.Network("agentm", "10.122."));
        client = cluster.client;
        Node node = client.nodes().withName(NODE).get();
        endpoint = URI.create("http://127.0.0.1:" + node.getStatus().getDaemonEndpoints().getKubeletEndpoint()
                .getPort());
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void metricsMoveAsTheNodeRunsPods() throws Exception {
        PrometheusSamples before = scrape();
        assertThat(before.value("kubelet_node_name", Map.of("node", NODE))).isEqualTo(1.0);
        double startedBefore = before.value("kubelet_pod_start_duration_seconds_count");
        double sandboxesBefore = valueOrZero(before, "kubelet_runtime_operations_total",
                Map.of("operation_type", "run_podsandbox"));

        for (String name : new String[] {"metrics-a", "metrics-b"}) {
            client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
                    .endMetadata().withNewSpec().withNodeName(NODE).addNewContainer().withName("main")
                    .withImage("busybox").withCommand("sh", "-c", "while true; do sleep 1; done").endContainer()
                    .endSpec().build()).create();
        }
        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").list().getItems().stream()
                .filter(pod -> "Running".equals(pod.getStatus().getPhase())).count() == 2);

        await().atMost(WAIT).untilAsserted(() -> {
            PrometheusSamples after = scrape();
            assertThat(after.value("kubelet_running_pods")).isEqualTo(2.0);
            assertThat(after.value("kubelet_running_containers", Map.of("container_state", "running")))
                    .isEqualTo(2.0);
            assertThat(after.value("kubelet_pod_start_duration_seconds_count")).isEqualTo(startedBefore + 2);
            assertThat(after.value("kubelet_runtime_operations_total", Map.of("operation_type", "run_podsandbox")))
                    .isGreaterThanOrEqualTo(sandboxesBefore + 2);
            assertThat(after.value("kubelet_runtime_operations_total", Map.of("operation_type", "start_container")))
                    .isEqualTo(2.0);
            assertThat(after.value("kubelet_started_pods_total")).isEqualTo(2.0);
            assertThat(after.value("kubelet_started_containers_total", Map.of("container_type", "container")))
                    .isEqualTo(2.0);
            assertThat(after.value("kubelet_pod_worker_duration_seconds_count", Map.of("operation_type", "create")))
                    .isGreaterThanOrEqualTo(2.0);
        });

        client.pods().inNamespace("default").withName("metrics-a").withGracePeriod(0).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            PrometheusSamples after = scrape();
            assertThat(after.value("kubelet_running_pods")).isEqualTo(1.0);
            assertThat(after.value("kubelet_running_containers", Map.of("container_state", "running")))
                    .isEqualTo(1.0);
            assertThat(after.value("kubelet_runtime_operations_total", Map.of("operation_type", "remove_podsandbox")))
                    .isPositive();
            assertThat(after.value("kubelet_pod_worker_duration_seconds_count", Map.of("operation_type", "kill")))
                    .isPositive();
        });
    }

    @Test
    void everyKubeletNameTheDashboardQueriesIsExported() throws Exception {
        Set<String> wanted = new TreeSet<>(DASHBOARD_KUBELET_NAMES);
        if (Files.exists(DASHBOARD)) {
            Matcher names = Pattern.compile("kubelet_[a-z_]+").matcher(Files.readString(DASHBOARD));
            while (names.find()) {
                wanted.add(names.group());
            }
        }
        // Awaited: a name with labels has series only once something was counted under it.
        await().atMost(WAIT).untilAsserted(() -> assertThat(scrape().families()).containsAll(wanted));
    }

    @Test
    void scrapeIsPrometheusText() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE kubelet_running_pods gauge",
                "# TYPE kubelet_runtime_operations_total counter");
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
    }

    @Test
    void healthzIsOkWhileTheNodeReachesTheApiAndItsRuntime() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> health = get("/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
        });
        HttpResponse<String> verbose = get("/healthz?verbose");
        assertThat(verbose.statusCode()).isEqualTo(200);
        assertThat(verbose.body()).isEqualTo("[+]ping ok\n[+]runtime ok\n[+]api ok\nhealthz check passed\n");
        assertThat(get("/healthz/runtime").body()).isEqualTo("ok");
        assertThat(get("/healthz/nothing").statusCode()).isEqualTo(404);
    }

    private static PrometheusSamples scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return PrometheusSamples.parse(response.body());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double valueOrZero(PrometheusSamples samples, String name, Map<String, String> labels) {
        Double value = samples.value(name, labels);
        return value == null ? 0 : value;
    }
}
