package io.qube.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events as a component records them through the real API: repeats of the same event raise one event's count
 * (kubectl describe shows "x3"), a different message makes another, and an event about a cluster-wide object
 * lands in "default".
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class EventRecorderTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void repeatsRaiseTheCountOfOneEvent() {
        try (KubernetesClient client = client()) {
            ConfigMap subject = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("recorded").endMetadata().build()).create();
            EventRecorder recorder = new EventRecorder(new ApiRequests(client), "tester", "tester-1");

            recorder.warning(subject, "Failing", "it failed");
            await().atMost(Duration.ofSeconds(10)).until(() -> about(client, "recorded").size() == 1);
            recorder.warning(subject, "Failing", "it failed");
            recorder.warning(subject, "Failing", "it failed");
            recorder.warning(subject, "Failing", "it failed differently");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<Event> events = about(client, "recorded");
                assertThat(events).extracting(Event::getMessage, Event::getCount)
                        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("it failed", 3),
                                org.assertj.core.groups.Tuple.tuple("it failed differently", 1));
            });
        }
    }

    @Test
    void anEventAboutANodeLandsInDefault() {
        try (KubernetesClient client = client()) {
            var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName("recorded-node")
                    .endMetadata().build()).create();
            new EventRecorder(new ApiRequests(client), "tester", "tester-1").normal(node, "Seen", "a node");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(about(client, "recorded-node"))
                    .extracting(Event::getReason).containsExactly("Seen"));
        }
    }

    private static List<Event> about(KubernetesClient client, String name) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    private KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.toString()).build()).build();
    }
}
