package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.qube.apiserver.kubernetesservice.MasterEndpoints.ApiServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the kubernetes service's endpoints are for a set of apiservers; every apiserver computes the same. */
class MasterEndpointsTest {

    @Test
    void theTargetPortIsTheOneMostApiServersUseTheLowestOnATie() {
        assertThat(MasterEndpoints.targetPort(List.of(), 6443)).isEqualTo(6443);
        assertThat(MasterEndpoints.targetPort(List.of(new ApiServer("10.0.0.1", 7000),
                new ApiServer("10.0.0.2", 6443), new ApiServer("10.0.0.3", 6443)), 7000)).isEqualTo(6443);
        List<ApiServer> tie = List.of(new ApiServer("127.0.0.1", 40001), new ApiServer("127.0.0.1", 40000));
        assertThat(MasterEndpoints.targetPort(tie, 40001)).isEqualTo(40000);
        assertThat(MasterEndpoints.targetPort(tie, 40000)).isEqualTo(40000);
    }

    @Test
    void apiServersOnOnePortShareOneSubsetAndOneSlice() {
        List<ApiServer> live = List.of(new ApiServer("10.0.0.2", 6443), new ApiServer("10.0.0.1", 6443));
        Endpoints endpoints = MasterEndpoints.endpoints(live, 6443);
        assertThat(endpoints.getSubsets()).singleElement().satisfies(subset -> {
            assertThat(subset.getAddresses()).extracting(a -> a.getIp()).containsExactly("10.0.0.1", "10.0.0.2");
            assertThat(subset.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("https");
                assertThat(p.getPort()).isEqualTo(6443);
            });
        });
        Map<String, EndpointSlice> slices = MasterEndpoints.slices(live, 6443);
        assertThat(slices).containsOnlyKeys("kubernetes");
        assertThat(slices.get("kubernetes").getEndpoints()).extracting(e -> e.getAddresses().get(0))
                .containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(MasterEndpoints.sameEndpoints(endpoints, MasterEndpoints.endpoints(List.of(live.get(1),
                live.get(0)), 6443))).isTrue();
    }

    @Test
    void apiServersOnOtherPortsGetASubsetAndASliceEach() {
        List<ApiServer> live = List.of(new ApiServer("127.0.0.1", 40001), new ApiServer("127.0.0.1", 40000));
        Endpoints endpoints = MasterEndpoints.endpoints(live, 40000);
        assertThat(endpoints.getSubsets()).extracting(s -> s.getPorts().get(0).getPort()).containsExactly(40000, 40001);
        assertThat(MasterEndpoints.slices(live, 40000)).containsOnlyKeys("kubernetes", "kubernetes-40001");
    }

    @Test
    void anIpv6ApiServerMakesAnIpv6Slice() {
        Map<String, EndpointSlice> slices = MasterEndpoints.slices(List.of(new ApiServer("fd00::1", 6443)), 6443);
        assertThat(slices.get("kubernetes").getAddressType()).isEqualTo("IPv6");
    }

    @Test
    void theServiceIsCorrectOnlyWithItsOnePort() {
        assertThat(MasterEndpoints.serviceCorrect(MasterEndpoints.service(6443), 6443)).isTrue();
        assertThat(MasterEndpoints.serviceCorrect(MasterEndpoints.service(6443), 6444)).isFalse();
        assertThat(MasterEndpoints.serviceCorrect(MasterEndpoints.corrected(MasterEndpoints.service(6443), 6444),
                6444)).isTrue();
    }
}
