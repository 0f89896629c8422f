package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The apiserver's own service as kube-apiserver keeps it: {@code default/kubernetes} on 10.96.0.1, port 443 named
 * https leading to the port this apiserver listens on, its Endpoints and EndpointSlice listing this apiserver's
 * address (loopback, where it listens in tests), and this apiserver's Lease in kube-system; a deleted service is
 * made again. The cluster DNS Service too: {@code kube-system/kube-dns} on 10.96.0.10, ports 53 over UDP and TCP,
 * no selector (each node adds its own slice), internalTrafficPolicy Local; made again when deleted, a user's change
 * left alone.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class KubernetesServiceTest {

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
    void theServiceLeadsToThisApiServer() {
        await().atMost(PATIENCE).until(() -> service() != null);
        Service service = service();
        assertThat(service.getMetadata().getLabels()).containsEntry("component", "apiserver")
                .containsEntry("provider", "kubernetes");
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.1");
        assertThat(service.getSpec().getSelector()).isNullOrEmpty();
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("https");
            assertThat(port.getPort()).isEqualTo(443);
            assertThat(port.getProtocol()).isEqualTo("TCP");
            assertThat(port.getTargetPort()).isEqualTo(new IntOrString(server.getPort()));
        });
    }

    @Test
    void theEndpointsAndTheSliceListThisApiServersAddress() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(client.endpoints().inNamespace("default").withName("kubernetes").get()).isNotNull();
            assertThat(client.discovery().v1().endpointSlices().inNamespace("default").withName("kubernetes").get())
                    .isNotNull();
        });
        Endpoints endpoints = client.endpoints().inNamespace("default").withName("kubernetes").get();
        assertThat(endpoints.getMetadata().getLabels())
                .isEqualTo(Map.of("endpointslice.kubernetes.io/skip-mirror", "true"));
        EndpointSubset subset = endpoints.getSubsets().get(0);
        assertThat(subset.getAddresses()).extracting(a -> a.getIp()).containsExactly("127.0.0.1");
        assertThat(subset.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("https");
            assertThat(port.getPort()).isEqualTo(server.getPort());
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });

        EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace("default").withName("kubernetes")
                .get();
        assertThat(slice.getMetadata().getLabels()).isEqualTo(Map.of("kubernetes.io/service-name", "kubernetes"));
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getAddresses()).containsExactly("127.0.0.1");
            assertThat(endpoint.getConditions().getReady()).isTrue();
        });
        assertThat(slice.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("https");
            assertThat(port.getPort()).isEqualTo(server.getPort());
        });
    }

    @Test
    void thisApiServerHoldsAnIdentityLease() {
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(leases()).anySatisfy(lease -> {
            assertThat(lease.getMetadata().getName()).startsWith("apiserver-");
            assertThat(lease.getMetadata().getAnnotations())
                    .containsEntry("apiserver.qube.io/advertise-address", "127.0.0.1")
                    .containsEntry("apiserver.qube.io/port", Integer.toString(server.getPort()));
            assertThat(lease.getSpec().getHolderIdentity()).startsWith(lease.getMetadata().getName() + "_");
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
            assertThat(lease.getSpec().getRenewTime()).isNotNull();
        }));
    }

    @Test
    void aDeletedServiceComesBack() {
        await().atMost(PATIENCE).until(() -> service() != null);
        String uid = service().getMetadata().getUid();

        client.services().inNamespace("default").withName("kubernetes").delete();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Service again = service();
            assertThat(again).isNotNull();
            assertThat(again.getMetadata().getUid()).isNotEqualTo(uid);
            assertThat(again.getSpec().getClusterIP()).isEqualTo("10.96.0.1");
        });
    }

    @Test
    void theServiceIsTheClusterDnsAddress() {
        await().atMost(PATIENCE).until(() -> kubeDns() != null);
        Service service = kubeDns();
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
        await().atMost(PATIENCE).until(() -> kubeDns() != null);
        client.services().inNamespace("kube-system").withName("kube-dns").delete();
        await().atMost(PATIENCE).until(() -> kubeDns() != null && kubeDns().getSpec().getClusterIP()
                .equals("10.96.0.10"));

        client.services().inNamespace("kube-system").withName("kube-dns")
                .edit(s -> {
                    s.getMetadata().getLabels().put("changed-by", "user");
                    s.getSpec().getPorts().remove(1);
                    return s;
                });
        // Past a reconcile round or more, the user's Service is as the user left it.
        await().during(ROUND.plusSeconds(2)).atMost(ROUND.plusSeconds(5)).untilAsserted(() -> {
            assertThat(kubeDns().getMetadata().getLabels()).containsEntry("changed-by", "user");
            assertThat(kubeDns().getSpec().getPorts()).hasSize(1);
        });
    }

    private Service service() {
        return client.services().inNamespace("default").withName("kubernetes").get();
    }

    private Service kubeDns() {
        return client.services().inNamespace("kube-system").withName("kube-dns").get();
    }

    private List<Lease> leases() {
        return client.leases().inNamespace("kube-system")
                .withLabel("apiserver.kubernetes.io/identity", "kube-apiserver").list().getItems();
    }
}
