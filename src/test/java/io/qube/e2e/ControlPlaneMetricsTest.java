package io.qube.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.qube.controller.ControllerTestBase;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.PrometheusText;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Scrapes /q/metrics after a known workload (fabric8 over real HTTP, the ReplicaSet controller and the scheduler
 * running) and checks that the Kubernetes-named series move as kube-apiserver's, client-go's and the leader
 * elector's would.
 */
@QuarkusTest
@TestProfile(MetricsProfile.class)
@WithTestResource(EmbeddedPostgresResource.class)
class ControlPlaneMetricsTest extends ControllerTestBase {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Override
    protected String namespacePrefix() {
        return "metrics";
    }

    static PrometheusText scrape() {
        return PrometheusText.parse(given().when().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    @Test
    void aMissingObjectIsCountedUnder404AndACreateUnderPost() {
        Map<String, String> missing = Map.of("verb", "GET", "group", "", "version", "v1", "resource", "configmaps",
                "scope", "resource", "component", "apiserver", "code", "404");
        Map<String, String> created = Map.of("verb", "POST", "resource", "configmaps", "scope", "resource",
                "code", "201");
        PrometheusText before = scrape();

        assertThat(client.configMaps().inNamespace(namespace).withName("nothing").get()).isNull();
        client.configMaps().inNamespace(namespace).resource(configMap("one")).create();
        assertThatThrownBy(() -> client.configMaps().inNamespace(namespace).resource(configMap("one")).create())
                .isInstanceOf(KubernetesClientException.class);

        PrometheusText after = scrape();
        assertThat(after.sum("apiserver_request_total", missing) - before.sum("apiserver_request_total", missing))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.sum("apiserver_request_total", created) - before.sum("apiserver_request_total", created))
                .isGreaterThanOrEqualTo(1);
        Map<String, String> conflict = Map.of("verb", "POST", "resource", "configmaps", "code", "409");
        assertThat(after.sum("apiserver_request_total", conflict) - before.sum("apiserver_request_total", conflict))
                .isGreaterThanOrEqualTo(1);
        // Kubernetes' latency buckets, each request in the histogram whatever its code.
        List<String> bounds = after.series("apiserver_request_duration_seconds_bucket",
                Map.of("verb", "POST", "resource", "configmaps")).stream().map(s -> s.labels().get("le")).toList();
        assertThat(bounds).containsExactly("0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1.0",
                "1.25", "1.5", "2.0", "3.0", "4.0", "5.0", "6.0", "8.0", "10.0", "15.0", "20.0", "30.0", "45.0",
                "60.0", "+Inf");
        assertThat(after.sum("apiserver_request_duration_seconds_count", Map.of("verb", "POST", "resource",
                "configmaps"))).isGreaterThanOrEqualTo(2);
    }

    @Test
    void listsApplyAndUnknownPathsHaveTheirOwnVerbsAndLabels() {
        PrometheusText before = scrape();
        client.configMaps().inNamespace(namespace).list();
        client.configMaps().inNamespace(namespace).resource(configMap("applied")).forceConflicts().serverSideApply();
        given().when().get("/apis/nothing.example.com/v1/things").then().statusCode(404);

        PrometheusText after = scrape();
        Map<String, String> list = Map.of("verb", "LIST", "resource", "configmaps", "scope", "namespace", "code",
                "200");
        assertThat(after.sum("apiserver_request_total", list) - before.sum("apiserver_request_total", list))
                .isGreaterThanOrEqualTo(1);
        Map<String, String> apply = Map.of("verb", "APPLY", "resource", "configmaps", "scope", "resource");
        assertThat(after.sum("apiserver_request_total", apply) - before.sum("apiserver_request_total", apply))
                .isGreaterThanOrEqualTo(1);
        Map<String, String> unknown = Map.of("verb", "GET", "resource", "", "code", "404");
        assertThat(after.sum("apiserver_request_total", unknown) - before.sum("apiserver_request_total", unknown))
                .isGreaterThanOrEqualTo(1);
        // The scrape itself is a read in flight while the registry is read.
        assertThat(after.sum("apiserver_current_inflight_requests", Map.of("request_kind", "readOnly")))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.series("apiserver_current_inflight_requests", Map.of("request_kind", "mutating")))
                .hasSize(1);
    }

    @Test
    void aWatchIsLongRunningWhileOpenAndItsEventsAreCounted() {
        Map<String, String> longRunning = Map.of("verb", "WATCH", "group", "", "version", "v1", "resource",
                "configmaps", "scope", "namespace");
        Map<String, String> configMapEvents = Map.of("group", "", "version", "v1", "kind", "ConfigMap");
        double open = scrape().sum("apiserver_longrunning_requests", longRunning);
        double eventsBefore = scrape().sum("apiserver_watch_events_total", configMapEvents);
        List<String> seen = new CopyOnWriteArrayList<>();
        Watch watch = client.configMaps().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                seen.add(resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        try {
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape().sum("apiserver_longrunning_requests",
                    longRunning)).isEqualTo(open + 1));
            client.configMaps().inNamespace(namespace).resource(configMap("watched")).create();
            await().atMost(PATIENCE).until(() -> seen.contains("watched"));
            assertThat(scrape().sum("apiserver_watch_events_total", configMapEvents))
                    .isGreaterThanOrEqualTo(eventsBefore + 1);
        } finally {
            watch.close();
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape().sum("apiserver_longrunning_requests",
                longRunning)).isEqualTo(open));
    }

    @Test
    void controllersDrainTheirQueueAndTheSchedulerAndStoreReport() {
        Map<String, String> queue = Map.of("name", "replicaset-controller");
        double adds = scrape().sum("workqueue_adds_total", queue);
        client.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> client.pods().inNamespace(namespace).list().getItems().size() == 2);

        await().atMost(PATIENCE).untilAsserted(() -> {
            PrometheusText metrics = scrape();
            assertThat(metrics.sum("workqueue_adds_total", queue)).isGreaterThan(adds);
            assertThat(metrics.sum("workqueue_depth", queue)).isZero();
            assertThat(metrics.sum("workqueue_queue_duration_seconds_count", queue)).isGreaterThan(0);
            assertThat(metrics.sum("workqueue_work_duration_seconds_count", queue)).isGreaterThan(0);
            // No nodes: the scheduler tries the two pods and finds them unschedulable.
            assertThat(metrics.sum("scheduler_schedule_attempts_total", Map.of("result", "unschedulable")))
                    .isGreaterThanOrEqualTo(2);
            assertThat(metrics.sum("apiserver_watch_events_total", Map.of("kind", "Pod"))).isGreaterThan(0);
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape().sum("apiserver_storage_objects",
                Map.of("resource", "pods"))).isEqualTo(client.pods().inAnyNamespace().list().getItems().size()));
        assertThat(scrape().sum("apiserver_storage_objects", Map.of("resource", "replicasets.apps")))
                .isGreaterThanOrEqualTo(1);

        PrometheusText metrics = scrape();
        assertThat(metrics.sum("qube_store_write_batch_size_count", Map.of())).isGreaterThan(0);
        assertThat(metrics.sum("qube_store_commit_duration_seconds_count", Map.of())).isGreaterThan(0);
        assertThat(metrics.series("qube_store_watch_cache_lag_revisions", Map.of())).hasSize(1);
        assertThat(metrics.sum("qube_store_watch_cache_revision", Map.of())).isGreaterThan(0);
    }

    @Test
    void theLeadersReportOneAndTheirHealthSaysSo() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            PrometheusText metrics = scrape();
            assertThat(metrics.sum("leader_election_master_status", Map.of("name", "kube-controller-manager")))
                    .isEqualTo(1);
            assertThat(metrics.sum("leader_election_master_status", Map.of("name", "kube-scheduler")))
                    .isEqualTo(1);
        });
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'kube-controller-manager' }.data.role", equalTo("leader"))
                .body("checks.find { it.name == 'kube-scheduler' }.data.role", equalTo("leader"))
                .body("checks.find { it.name == 'qube-watch-cache' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'qube-store' }.status", equalTo("UP"));
        given().when().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'kube-scheduler' }.data.role", equalTo("leader"));
    }

    private static ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("k", "v").build();
    }
}
