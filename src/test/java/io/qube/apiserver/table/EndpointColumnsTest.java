package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointColumnsTest {

    private static final String CREATED = ago(Duration.ofHours(5).plusMinutes(30));

    @Test
    void endpointsListEveryAddressPerPortAndSummarizeTheRest() {
        Endpoints endpoints = new EndpointsBuilder().withNewMetadata().withName("web").withCreationTimestamp(CREATED)
                .endMetadata().addNewSubset().addNewAddress().withIp("10.244.1.5").endAddress()
                .addNewAddress().withIp("10.244.2.6").endAddress()
                .addNewNotReadyAddress().withIp("10.244.3.7").endNotReadyAddress()
                .addNewPort().withName("http").withPort(8080).endPort()
                .addNewPort().withName("metrics").withPort(9090).endPort().endSubset().build();

        assertThat(Rows.headers(EndpointColumns.endpoints(), true)).containsExactly("NAME", "ENDPOINTS", "AGE");
        assertThat(Rows.cells(EndpointColumns.endpoints(), endpoints))
                .containsExactly("web", "10.244.1.5:8080,10.244.2.6:8080,10.244.1.5:9090 + 1 more...", "5h30m");
    }

    @Test
    void headlessAndIpv6AndEmptyEndpoints() {
        Endpoints headless = new EndpointsBuilder().withNewMetadata().withName("db").endMetadata().addNewSubset()
                .addNewAddress().withIp("10.244.1.9").endAddress().endSubset().build();
        Endpoints ipv6 = new EndpointsBuilder().withNewMetadata().withName("v6").endMetadata().addNewSubset()
                .addNewAddress().withIp("fd00::5").endAddress().addNewPort().withPort(80).endPort().endSubset().build();
        Endpoints empty = new EndpointsBuilder().withNewMetadata().withName("none").endMetadata().build();

        assertThat(Rows.cells(EndpointColumns.endpoints(), headless).get(1)).isEqualTo("10.244.1.9");
        assertThat(Rows.cells(EndpointColumns.endpoints(), ipv6).get(1)).isEqualTo("[fd00::5]:80");
        assertThat(Rows.cells(EndpointColumns.endpoints(), empty).get(1)).isEqualTo("<none>");
    }

    @Test
    void endpointSliceShowsAddressTypePortsAndAddresses() {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("web-x8k2p")
                .withCreationTimestamp(CREATED).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .addNewPort().withName("admin").endPort()
                .addNewEndpoint().withAddresses("10.244.1.5").endEndpoint()
                .addNewEndpoint().withAddresses("10.244.2.6").endEndpoint().build();
        EndpointSlice empty = new EndpointSliceBuilder().withNewMetadata().withName("empty")
                .withCreationTimestamp(CREATED).endMetadata().withAddressType("IPv4").build();

        assertThat(Rows.headers(EndpointColumns.endpointSlice(), true))
                .containsExactly("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE");
        assertThat(Rows.cells(EndpointColumns.endpointSlice(), slice))
                .containsExactly("web-x8k2p", "IPv4", "8080,admin", "10.244.1.5,10.244.2.6", "5h30m");
        assertThat(Rows.cells(EndpointColumns.endpointSlice(), empty))
                .containsExactly("empty", "IPv4", "<unset>", "<unset>", "5h30m");
    }
}
