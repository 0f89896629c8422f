package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster DNS Service the apiserver keeps: {@code kube-system/kube-dns} on 10.96.0.10, ports 53 over UDP and
 * TCP, no selector (each node adds its own slice), internalTrafficPolicy Local; made again when deleted, a user's
 * change left alone.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class ClusterDnsServiceTest {

    /** The reconcile interval is 10 s: a deleted object is back within it. */
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private static final Duration ROUND = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URL server;

    private KubernetesClient client;

    @BeforeEach
    void connect() {
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(server.toString()).build()).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theServiceIsTheClusterDnsAddress() {
        await().atMost(PATIENCE).until(() -> service() != null);
        Service service = service();
        assertThat(service.getMetadata().getLabels()).containsEntry("k8s-app", "kube-dns");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        assertThat(service.getSpec().getSelector()).isNullOrEmpty();
        assertThat(service.getSpec().getInternalTrafficPolicy()).isEqualTo("Local");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol())
                .containsExactly("dns 53/UDP", "dns-tcp 53/TCP");
    }

    @Test
    void aDeletedServiceComesBackAndAChangedOneStaysChanged() {
        await().atMost(PATIENCE).until(() -> service() != null);
        client.services().inNamespace("kube-system").withName("kube-dns").delete();
        await().atMost(PATIENCE).until(() -> service() != null && service().getSpec().getClusterIP()
                .equals("10.96.0.10"));

        client.services().inNamespace("kube-system").withName("kube-dns")
                .edit(s -> {
                    s.getMetadata().getLabels().put("changed-by", "user");
                    s.getSpec().getPorts().remove(1);
                    return s;
                });
        // Past a reconcile round or more, the user's Service is as the user left it.
        await().during(ROUND.plusSeconds(2)).atMost(ROUND.plusSeconds(5)).untilAsserted(() -> {
            assertThat(service().getMetadata().getLabels()).containsEntry("changed-by", "user");
            assertThat(service().getSpec().getPorts()).hasSize(1);
        });
    }

    private Service service() {
        return client.services().inNamespace("kube-system").withName("kube-dns").get();
    }
}
