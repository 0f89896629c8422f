package io.qube.apiserver.kubernetesservice;

import io.qube.apiserver.kubernetesservice.MasterEndpoints.ApiServer;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which address an apiserver advertises, and the lease it is known by. */
class AdvertiseAddressTest {

    @Test
    void theConfiguredAddressWins() {
        assertThat(AdvertiseAddress.resolve(Optional.of("192.168.1.10"), "127.0.0.1")).isEqualTo("192.168.1.10");
        assertThat(AdvertiseAddress.resolve(Optional.of(" fd00::5 "), "0.0.0.0")).isEqualTo("fd00::5");
    }

    @Test
    void aConfiguredNameOrUnspecifiedAddressIsRefused() {
        assertThatThrownBy(() -> AdvertiseAddress.resolve(Optional.of("api.example.com"), "127.0.0.1"))
                .hasMessageContaining("qube.apiserver.advertise-address");
        assertThatThrownBy(() -> AdvertiseAddress.resolve(Optional.of("0.0.0.0"), "127.0.0.1"))
                .hasMessageContaining("qube.apiserver.advertise-address");
    }

    @Test
    void otherwiseTheAddressItListensOn() {
        assertThat(AdvertiseAddress.resolve(Optional.empty(), "127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(AdvertiseAddress.resolve(Optional.empty(), "10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(AdvertiseAddress.resolve(Optional.empty(), "localhost")).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
    }

    @Test
    void listeningOnEveryAddressItAdvertisesARealOne() {
        String address = AdvertiseAddress.resolve(Optional.empty(), "0.0.0.0");
        assertThat(AdvertiseAddress.literal(address)).isNotNull()
                .satisfies(ip -> assertThat(ip.isAnyLocalAddress()).isFalse());
    }

    @Test
    void theLeaseNameIsStablePerHostAddressAndPort() {
        String name = ApiServerLeases.leaseName("host-a", new ApiServer("127.0.0.1", 6443));
        assertThat(name).matches("apiserver-[a-z2-7]{26}")
                .isEqualTo(ApiServerLeases.leaseName("host-a", new ApiServer("127.0.0.1", 6443)))
                .isNotEqualTo(ApiServerLeases.leaseName("host-a", new ApiServer("127.0.0.1", 6444)))
                .isNotEqualTo(ApiServerLeases.leaseName("host-b", new ApiServer("127.0.0.1", 6443)));
    }
}
