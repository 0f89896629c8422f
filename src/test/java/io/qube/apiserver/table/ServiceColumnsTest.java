package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceColumnsTest {

    @Test
    void nodePortServiceShowsBothPorts() {
        Service service = service("web", "NodePort").editSpec().withClusterIP("10.96.12.4").withClusterIPs("10.96.12.4")
                .addToSelector("app", "web")
                .addNewPort().withPort(80).withNodePort(30080).withProtocol("TCP").endPort()
                .addNewPort().withPort(53).withNodePort(30053).withProtocol("UDP").endPort().endSpec().build();

        assertThat(Rows.headers(ServiceColumns.columns(), true))
                .containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR");
        assertThat(Rows.cells(ServiceColumns.columns(), service)).containsExactly(
                "web", "NodePort", "10.96.12.4", "<none>", "80:30080/TCP,53:30053/UDP", "12m", "app=web");
    }

    @Test
    void clusterIpServiceWithExternalIps() {
        Service service = service("api", "ClusterIP").editSpec().withClusterIPs("10.96.0.10", "fd00::a")
                .withExternalIPs("192.0.2.10", "192.0.2.11").addNewPort().withPort(443).endPort().endSpec().build();

        assertThat(Rows.cells(ServiceColumns.columns(), service)).containsExactly(
                "api", "ClusterIP", "10.96.0.10", "192.0.2.10,192.0.2.11", "443/TCP", "12m", "<none>");
    }

    @Test
    void headlessServiceWithoutPorts() {
        Service service = service("db", "ClusterIP").editSpec().withClusterIP("None").endSpec().build();

        assertThat(Rows.defaultCells(ServiceColumns.columns(), service))
                .containsExactly("db", "ClusterIP", "None", "<none>", "<none>", "12m");
    }

    @Test
    void loadBalancerIsPendingUntilItHasAnAddress() {
        Service pending = service("lb", "LoadBalancer").editSpec().withClusterIPs("10.96.1.1").addNewPort().withPort(80)
                .withNodePort(31000).withProtocol("TCP").endPort().endSpec().build();
        Service ready = new ServiceBuilder(pending).withNewStatus().withNewLoadBalancer()
                .addNewIngress().withHostname("lb.example.com").endIngress()
                .addNewIngress().withIp("203.0.113.9").endIngress().endLoadBalancer().endStatus().build();

        assertThat(cell(pending, "External-IP")).isEqualTo("<pending>");
        assertThat(cell(ready, "External-IP")).isEqualTo("203.0.113.9,lb.example.com");
    }

    @Test
    void externalNameServicePointsAtItsName() {
        Service service = service("mail", "ExternalName").editSpec().withExternalName("mail.example.com").endSpec()
                .build();

        assertThat(Rows.defaultCells(ServiceColumns.columns(), service))
                .containsExactly("mail", "ExternalName", "<none>", "mail.example.com", "<none>", "12m");
    }

    private static Object cell(Service service, String column) {
        return ServiceColumns.columns().stream().filter(c -> c.name().equals(column)).findFirst().orElseThrow()
                .cell().value(service, Rows.NOW);
    }

    private static ServiceBuilder service(String name, String type) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withCreationTimestamp(ago(Duration.ofMinutes(12))).endMetadata().withNewSpec().withType(type).endSpec();
    }
}
